//! User text: cleaning, limits and the normalisation shared by search and parsing.

use unicode_normalization::UnicodeNormalization;

/// Longest title, in characters (INTERFACE.md).
pub const TITLE_MAX: usize = 120;
/// Longest description or update, in characters (INTERFACE.md).
pub const DESCRIPTION_MAX: usize = 4000;
/// Longest display name, in characters.
pub const NAME_MAX: usize = 60;

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    Empty,
    TooLong { max: usize, len: usize },
}

/// Removes control characters other than newline, and the characters that
/// are not seen but change what is around them or pass for a blank: every
/// format character (bidi overrides, embeddings, isolates and marks — U+202E
/// turns « evil.exe » around —, zero-width spaces and joiners, soft hyphens,
/// byte order marks, tags), variation selectors, and the fillers that render as
/// nothing (Hangul fillers, Braille blank, the combining grapheme joiner). A
/// joiner inside an emoji sequence (👩‍🌾), a variation selector after a
/// pictograph (❤️) and the tags of a flag (🏴) stay. `\r\n`, U+2028 and
/// U+2029 become `\n`.
pub fn strip_controls(s: &str) -> String {
    let s = s
        .replace("\r\n", "\n")
        .replace(['\u{2028}', '\u{2029}'], "\n");
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        let keep = match c {
            '\n' => true,
            '\u{200D}' => before.is_some_and(is_emoji_part) && after.is_some_and(is_emoji),
            '\u{FE0F}' => before.is_some_and(is_emoji),
            // The tags of a subdivision flag follow the black flag.
            '\u{E0020}'..='\u{E007F}' => {
                out.chars().rev().find(|c| !is_tag(*c)) == Some('\u{1F3F4}')
            }
            c => !c.is_control() && !is_invisible(c),
        };
        if keep {
            out.push(c);
        }
    }
    out
}

fn is_tag(c: char) -> bool {
    ('\u{E0020}'..='\u{E007F}').contains(&c)
}

/// Characters that are not seen (format characters, variation selectors,
/// fillers) but change what is around them or pass for a blank.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        // Format characters (general category Cf).
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}'
        // Variation selectors.
        | '\u{180B}'..='\u{180D}' | '\u{180F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}'
        // Characters that show as nothing: the combining grapheme joiner,
        // Hangul fillers, Khmer inherent vowels, the Braille blank.
        | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{17B4}'
        | '\u{17B5}' | '\u{2800}'
    )
}

/// A pictograph that may start or continue an emoji ZWJ sequence.
fn is_emoji(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}')
}

/// What may stand just before a joiner in an emoji sequence: a pictograph, a
/// variation selector or a skin tone.
fn is_emoji_part(c: char) -> bool {
    is_emoji(c) || c == '\u{FE0F}'
}

fn limited(s: &str, max: usize, single_line: bool) -> Result<String, TextError> {
    let mut s = strip_controls(s);
    if single_line {
        s = s.replace('\n', " ");
    }
    let s = s.trim().to_owned();
    let len = s.chars().count();
    // Only spaces, or marks with nothing to mark, show as a blank.
    let blank = !s.chars().any(|c| !c.is_whitespace() && !is_combining(c));
    if len == 0 || blank {
        Err(TextError::Empty)
    } else if len > max {
        Err(TextError::TooLong { max, len })
    } else {
        Ok(s)
    }
}

/// A combining mark (it shows only on what it follows).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// A title: one line, 1 to 120 characters, kept as typed.
pub fn title(s: &str) -> Result<String, TextError> {
    limited(s, TITLE_MAX, true)
}

/// A description or update: 1 to 4,000 characters, newlines kept.
pub fn description(s: &str) -> Result<String, TextError> {
    limited(s, DESCRIPTION_MAX, false)
}

/// One line of 1 to `max` characters, kept as typed (a consultation's
/// question or option).
pub fn line(s: &str, max: usize) -> Result<String, TextError> {
    limited(s, max, true)
}

/// Longest note with a report or a moderator's reason.
pub const NOTE_MAX: usize = 1000;

/// A report's text or a moderator's reason: 1 to 1,000 characters.
pub fn note(s: &str) -> Result<String, TextError> {
    limited(s, NOTE_MAX, false)
}

/// A display name: one line, 1 to 60 characters.
/// Check marks are left out: ✓ after a name is the verified badge.
pub fn display_name(s: &str) -> Result<String, TextError> {
    let s: String = s.chars().filter(|c| !is_badge(*c)).collect();
    limited(&s, NAME_MAX, true)
}

/// A character that looks like the verified badge.
fn is_badge(c: char) -> bool {
    matches!(
        c,
        '\u{2713}' | '\u{2714}' | '\u{2611}' | '\u{2705}' | '\u{1F5F8}' | '\u{221A}'
    )
}

/// Longest excerpt of an update in lists that gather many (digests, alert
/// batches, the feed): the whole text is on the project's card.
pub const EXCERPT_MAX: usize = 280;

/// The start of a text, at most `max` characters, cut after a word and ended
/// with `…` when something was left out.
pub fn excerpt(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let head: String = s.chars().take(max.saturating_sub(1)).collect();
    let cut = match head.rfind(char::is_whitespace) {
        Some(i) if i * 2 >= head.len() => &head[..i],
        _ => head.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// Words that mean "no place" or "no description" in an answer.
pub fn is_skip(s: &str) -> bool {
    matches!(
        fold(s.trim()).as_str(),
        "-" | "aucun" | "aucune" | "non" | "none" | "no" | "skip" | "passer"
    )
}

/// What two names must not share: folded, letters and digits only
/// (« Mairie-de  Villeurbanne » is « Mairie de Villeurbanne »).
pub fn name_key(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Lower case without accents or ligatures: "Réparation Œuvre" -> "reparation oeuvre".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        match c {
            '\u{300}'..='\u{36f}' => {}
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            '’' | 'ʼ' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The words of a text for search: folded, split on anything not a letter or digit.
pub fn search_words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The normalised text a store indexes for an initiative: each word preceded by a
/// space, so that a prefix match is `LIKE '% word%'` in any SQL store.
pub fn search_document(title: &str, description: &str) -> String {
    let mut doc = String::new();
    for w in search_words(title)
        .into_iter()
        .chain(search_words(description))
    {
        doc.push(' ');
        doc.push_str(&w);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_stripped_newlines_kept() {
        assert_eq!(strip_controls("a\u{7}b\r\nc\u{1b}[31m"), "ab\nc[31m");
        assert_eq!(title("  line\none  "), Ok("line one".to_owned()));
        assert_eq!(description("a\nb"), Ok("a\nb".to_owned()));
    }

    #[test]
    fn invisible_characters_are_removed() {
        assert_eq!(
            title("Mairie\u{202E}exe.txt"),
            Ok("Mairieexe.txt".to_owned())
        );
        assert_eq!(
            display_name("Ma\u{200B}ir\u{200D}ie\u{2066}\u{FEFF}\u{AD}"),
            Ok("Mairie".to_owned())
        );
        assert_eq!(title("\u{200B}\u{202E}"), Err(TextError::Empty));
        // Emoji sequences keep their joiner; letters do not.
        assert_eq!(title("👩\u{200D}🌾 ok"), Ok("👩\u{200D}🌾 ok".to_owned()));
        assert_eq!(
            title("❤\u{FE0F}\u{200D}🔥"),
            Ok("❤\u{FE0F}\u{200D}🔥".to_owned())
        );
        assert_eq!(title("a\u{200D}🌾"), Ok("a🌾".to_owned()));
        assert_eq!(title("\u{200D}"), Err(TextError::Empty));
        // Fillers, variation selectors and tags: blank, or removed.
        assert_eq!(title("\u{3164}"), Err(TextError::Empty));
        assert_eq!(
            title("\u{2800}\u{115F}\u{FFA0}\u{034F}"),
            Err(TextError::Empty)
        );
        assert_eq!(title("\u{301}\u{308}"), Err(TextError::Empty));
        assert_eq!(title("A\u{FE00}\u{E0041}\u{1BCA0}B"), Ok("AB".to_owned()));
        // A line separator does not make a second line in a name.
        assert_eq!(
            display_name("Bob\u{2028}Mairie de Lyon"),
            Ok("Bob Mairie de Lyon".to_owned())
        );
        assert_eq!(description("a\u{2029}b"), Ok("a\nb".to_owned()));
        // Emoji keep what makes them.
        assert_eq!(title("❤\u{FE0F} ok"), Ok("❤\u{FE0F} ok".to_owned()));
        let scotland = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}";
        assert_eq!(title(scotland), Ok(scotland.to_owned()));
    }

    #[test]
    fn limits_refuse_never_truncate() {
        assert_eq!(title("   "), Err(TextError::Empty));
        assert_eq!(title("\u{1}\u{2}"), Err(TextError::Empty));
        let long = "é".repeat(121);
        assert_eq!(title(&long), Err(TextError::TooLong { max: 120, len: 121 }));
        assert!(title(&"é".repeat(120)).is_ok());
        assert!(description(&"x".repeat(4000)).is_ok());
        assert!(description(&"x".repeat(4001)).is_err());
    }

    #[test]
    fn excerpts_cut_after_a_word() {
        assert_eq!(excerpt("court", 10), "court");
        assert_eq!(excerpt("un texte bien trop long", 12), "un texte…");
        let e = excerpt(&"🌱".repeat(400), 280);
        assert_eq!(e.chars().count(), 280);
        assert!(e.ends_with('…'));
    }

    #[test]
    fn markup_is_kept_as_typed() {
        assert_eq!(title("<b>x</b> & _*["), Ok("<b>x</b> & _*[".to_owned()));
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Réparation ŒUVRE Café"), "reparation oeuvre cafe");
        assert_eq!(
            search_words("Repair Café : réparation!"),
            vec!["repair", "cafe", "reparation"]
        );
        assert_eq!(search_document("Café", "vélo-école"), " cafe velo ecole");
    }
}
