//! A labelled input with its error message next to it, wired for screen readers.

use leptos::prelude::*;

#[component]
pub fn Field(
    /// The visible label.
    label: &'static str,
    /// The form field name, also the element id.
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    /// Help shown under the input.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The current error for this field, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let hint_id = format!("{name}-hint");
    let described_by = {
        let (e, h) = (error_id.clone(), hint_id.clone());
        move || match (error.get().is_some(), hint.is_some()) {
            (true, true) => format!("{e} {h}"),
            (true, false) => e.clone(),
            (false, true) => h.clone(),
            (false, false) => String::new(),
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                required=true
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            />
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <p class="field-error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}
