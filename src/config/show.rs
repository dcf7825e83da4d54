//! `operator config show`: the effective configuration as YAML, secrets as `***`.

use super::Config;

pub fn render_effective(config: &Config) -> String {
    todo!("{config:?}")
}
