//! JSON for server-function results and errors, decoded from text.
//!
//! The framework's own JSON encoding decodes responses from bytes, while island props and
//! resource data in the page are decoded from strings. serde_json compiles its deserializer once
//! per input kind and per type, so the browser bundle carried every result type's decoder twice.
//! Decoding responses from a `&str` as well leaves one copy (about 70 KB of wasm before
//! optimisation). The wire format is unchanged: `application/json`.

use leptos::server_fn::{codec::Post, ContentType, Decodes, Encodes, Format, FormatType};
use leptos::server_fn::Bytes;
use serde::{de::DeserializeOwned, Serialize};

pub struct JsonText;

/// The output encoding of every server function here (`#[server(output = Json)]`).
pub type Json = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = leptos::serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        leptos::serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = leptos::serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(<Self::Error as serde::de::Error>::custom)?;
        leptos::serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::JsonText;
    use crate::error::AppError;
    use leptos::server_fn::{Decodes, Encodes};

    #[test]
    fn values_survive_a_round_trip_and_bad_bytes_are_an_error() {
        let e = AppError::invalid("email", "Enter an email address.");
        let bytes = <JsonText as Encodes<AppError>>::encode(&e).unwrap();
        assert_eq!(<JsonText as Decodes<AppError>>::decode(bytes).unwrap(), e);
        assert!(<JsonText as Decodes<AppError>>::decode(vec![0xff, b'"'].into()).is_err());
    }
}
