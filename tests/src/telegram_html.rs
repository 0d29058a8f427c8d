//! What Telegram accepts as a message, checked the way the Bot API does
//! (<https://core.telegram.org/bots/api#formatting-options> and the limits of
//! `sendMessage`), independently of Kohero's renderer: the fake Bot API answers
//! 400 to anything this refuses, and the property tests hold every rendered
//! reply against it.

use serde_json::Value;

/// Telegram's limit for a message's text, in UTF-16 code units after parsing.
pub const MAX_TEXT_UNITS: usize = 4096;
/// Telegram's limit for callback data, in bytes.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// Tags Telegram's HTML parse mode knows (`strong` for `b`, and so on).
const TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
];

/// Parses Telegram HTML into its visible text; `Err` with Telegram's
/// description when it would answer "can't parse entities".
pub fn parse(html: &str) -> Result<String, String> {
    let mut text = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    let offset = |rest: &str| html.len() - rest.len();
    while let Some(i) = rest.find(['<', '&', '>']) {
        text.push_str(&rest[..i]);
        let at = &rest[i..];
        if let Some(after) = at.strip_prefix('>') {
            // A bare '>' is accepted by Telegram as text.
            text.push('>');
            rest = after;
        } else if at.starts_with('&') {
            let Some(end) = at.find(';') else {
                return Err(format!(
                    "Bad Request: can't parse entities: Unclosed HTML entity at byte offset {}",
                    offset(at)
                ));
            };
            let name = &at[1..end];
            let c = match name {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| bad_entity(offset(at)))?,
                n if n.starts_with('#') => n[1..]
                    .parse::<u32>()
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| bad_entity(offset(at)))?,
                _ => return Err(bad_entity(offset(at))),
            };
            text.push(c);
            rest = &at[end + 1..];
        } else {
            let Some(end) = at.find('>') else {
                return Err(format!(
                    "Bad Request: can't parse entities: Unclosed start tag at byte offset {}",
                    offset(at)
                ));
            };
            let inside = &at[1..end];
            if let Some(name) = inside.strip_prefix('/') {
                let name = name.trim().to_ascii_lowercase();
                match open.pop() {
                    Some(o) if o == name => {}
                    _ => {
                        return Err(format!(
                            "Bad Request: can't parse entities: Unmatched end tag at byte offset {}, expected \"</{}>\", found \"</{name}>\"",
                            offset(at),
                            open.last().map_or("", String::as_str)
                        ));
                    }
                }
            } else {
                let name: String = inside
                    .split(|c: char| c.is_whitespace() || c == '=')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if !TAGS.contains(&name.as_str()) {
                    return Err(format!(
                        "Bad Request: can't parse entities: Unsupported start tag \"{name}\" at byte offset {}",
                        offset(at)
                    ));
                }
                if open.iter().any(|o| o == "pre" || o == "code")
                    && !(name == "code" && open.last().is_some_and(|o| o == "pre"))
                {
                    return Err(format!(
                        "Bad Request: can't parse entities: Entities inside \"{}\" are not allowed at byte offset {}",
                        open.last().map_or("", String::as_str),
                        offset(at)
                    ));
                }
                open.push(name);
            }
            rest = &at[end + 1..];
        }
    }
    text.push_str(rest);
    if let Some(o) = open.last() {
        return Err(format!(
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{o}\""
        ));
    }
    Ok(text)
}

fn bad_entity(at: usize) -> String {
    format!("Bad Request: can't parse entities: Unsupported HTML entity at byte offset {at}")
}

/// Checks a `sendMessage` request as Telegram would; `Err` is the 400's
/// description.
pub fn check_send_message(body: &Value) -> Result<(), String> {
    let Some(text) = body["text"].as_str() else {
        return Err("Bad Request: message text is empty".into());
    };
    let visible = if body["parse_mode"].as_str() == Some("HTML") {
        parse(text)?
    } else {
        text.to_owned()
    };
    if visible.trim().is_empty() {
        return Err("Bad Request: message text is empty".into());
    }
    if visible.encode_utf16().count() > MAX_TEXT_UNITS {
        return Err("Bad Request: message is too long".into());
    }
    check_markup(&body["reply_markup"])
}

/// Checks a reply markup: inline buttons with a label and exactly one of
/// callback data (1–64 bytes) or a URL; reply keyboards with labels.
pub fn check_markup(markup: &Value) -> Result<(), String> {
    if markup.is_null() {
        return Ok(());
    }
    if let Some(rows) = markup.get("inline_keyboard") {
        let rows = rows
            .as_array()
            .ok_or("Bad Request: can't parse inline keyboard button: InlineKeyboardMarkup must be an Array")?;
        for row in rows {
            for b in row.as_array().into_iter().flatten() {
                if b["text"].as_str().is_none_or(str::is_empty) {
                    return Err("Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard".into());
                }
                match (b["callback_data"].as_str(), b["url"].as_str()) {
                    (Some(d), None) if (1..=MAX_CALLBACK_BYTES).contains(&d.len()) => {}
                    (Some(_), None) => return Err("Bad Request: BUTTON_DATA_INVALID".into()),
                    (None, Some(u)) if u.starts_with("https://") || u.starts_with("http://") || u.starts_with("tg://") => {}
                    (None, Some(_)) => return Err("Bad Request: BUTTON_URL_INVALID".into()),
                    _ => return Err("Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard".into()),
                }
            }
        }
    }
    if let Some(rows) = markup.get("keyboard") {
        for row in rows.as_array().into_iter().flatten() {
            for b in row.as_array().into_iter().flatten() {
                if b["text"].as_str().is_none_or(str::is_empty) {
                    return Err("Bad Request: keyboard button text is empty".into());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_telegram_accepts() {
        assert_eq!(
            parse("<b>a</b> &amp; &lt;x&gt; &#233;").unwrap(),
            "a & <x> é"
        );
        assert_eq!(parse("<pre><code>x</code></pre>").unwrap(), "x");
        assert_eq!(parse("1 > 0").unwrap(), "1 > 0");
    }

    #[test]
    fn refuses_what_telegram_refuses() {
        assert!(parse("<b>a").is_err());
        assert!(parse("<b>a</i>").is_err());
        assert!(parse("<p>a</p>").is_err());
        assert!(parse("a & b").is_err());
        assert!(parse("&nbsp;").is_err());
        assert!(parse("<pre><b>x</b></pre>").is_err());
        assert!(parse("<b").is_err());
        let long = serde_json::json!({"text": "é".repeat(4097)});
        assert!(check_send_message(&long).is_err());
        let emoji = serde_json::json!({"text": "😀".repeat(2049)});
        assert!(check_send_message(&emoji).is_err());
        let ok = serde_json::json!({"text": "😀".repeat(2048)});
        assert!(check_send_message(&ok).is_ok());
        let blank = serde_json::json!({"text": "<b> </b>", "parse_mode": "HTML"});
        assert!(check_send_message(&blank).is_err());
        let data = serde_json::json!({"text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x".repeat(65)}]]}});
        assert!(check_send_message(&data).is_err());
    }
}
