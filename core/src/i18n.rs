//! Messages in the person's language, from the Fluent files in `core/locales/`.

use std::borrow::Cow;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::{LanguageIdentifier, langid};

use crate::domain::Lang;

const FR: &str = include_str!("../locales/fr/kohero.ftl");
const EN: &str = include_str!("../locales/en/kohero.ftl");

/// The message catalogues, loaded once.
pub struct Catalog {
    fr: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").finish_non_exhaustive()
    }
}

/// An argument of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Str(String),
    Num(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Self::Str(s.to_owned())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Self::Str(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Self::Str(s.clone())
    }
}
impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Self::Num(n as f64)
    }
}
impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Self::Num(n as f64)
    }
}
impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Self::Num(f64::from(n))
    }
}

/// The catalogue failed to load: a bug in a `.ftl` file, caught by the tests.
#[derive(Debug, thiserror::Error)]
#[error("message catalogue {lang}: {detail}")]
pub struct CatalogError {
    lang: &'static str,
    detail: String,
}

fn bundle(
    lang: &'static str,
    id: LanguageIdentifier,
    src: &str,
) -> Result<FluentBundle<FluentResource>, CatalogError> {
    let res = FluentResource::try_new(src.to_owned()).map_err(|(_, errs)| CatalogError {
        lang,
        detail: format!("{errs:?}"),
    })?;
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // Plain text goes to networks that would show the isolation marks.
    b.set_use_isolating(false);
    b.add_resource(res).map_err(|errs| CatalogError {
        lang,
        detail: format!("{errs:?}"),
    })?;
    Ok(b)
}

impl Catalog {
    pub fn load() -> Result<Self, CatalogError> {
        Ok(Self {
            fr: bundle("fr", langid!("fr"), FR)?,
            en: bundle("en", langid!("en"), EN)?,
        })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// The message `id` in `lang`, falling back to French, then to the id itself
    /// (which the catalogue tests forbid).
    pub fn get(&self, lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            let v: FluentValue = match v {
                Arg::Str(s) => FluentValue::String(Cow::Owned(s.clone())),
                Arg::Num(n) => FluentValue::from(*n),
            };
            fargs.set(*k, v);
        }
        for b in [self.bundle(lang), &self.fr] {
            if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let s = b.format_pattern(pattern, Some(&fargs), &mut errors);
                if !errors.is_empty() {
                    tracing::warn!(id, ?errors, "message formatted with errors");
                }
                return s.into_owned();
            }
        }
        tracing::error!(id, "missing message");
        id.to_owned()
    }

    /// Whether both catalogues define `id` (for tests).
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundle(lang).has_message(id)
    }
}

/// Every message id of a catalogue source, in order (for tests).
pub fn message_ids(lang: Lang) -> Vec<String> {
    let src = match lang {
        Lang::Fr => FR,
        Lang::En => EN,
    };
    src.lines()
        .filter_map(|l| {
            let (id, _) = l.split_once(" =")?;
            let ok = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            ok.then(|| id.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_load_and_agree() {
        let c = Catalog::load().unwrap();
        let fr = message_ids(Lang::Fr);
        let en = message_ids(Lang::En);
        assert!(fr.len() > 50);
        for id in &fr {
            assert!(c.has(Lang::En, id), "missing in en: {id}");
        }
        for id in &en {
            assert!(c.has(Lang::Fr, id), "missing in fr: {id}");
        }
    }

    #[test]
    fn plurals() {
        let c = Catalog::load().unwrap();
        let one = c.get(Lang::En, "count-supporters", &[("n", 1usize.into())]);
        let many = c.get(Lang::En, "count-supporters", &[("n", 3usize.into())]);
        assert_ne!(one, many);
    }
}
