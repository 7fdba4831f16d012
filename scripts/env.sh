# Sourced by the run and test scripts: puts the project's tools first on PATH.
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
