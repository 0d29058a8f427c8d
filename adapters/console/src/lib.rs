//! Kohero in the terminal: one message per line on stdin, replies on stdout.
//!
//! - A line that is only a `geo:` URI is a shared location.
//! - Actions are numbered `[1]`, `[2]`…: typing the number presses the button.
//! - Messages for the person (role offers, notices) are shown as they arrive.
//! - Prompt and colours only when asked (on a TTY).

use std::io;

use kohero_core::domain::Identity;
use kohero_core::geo::GeoPoint;
use kohero_core::reply::{Block, Reply};
use kohero_core::text::strip_controls;
use kohero_core::{Content, Engine, Incoming};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    pub identity: Identity,
    pub display_name: String,
    /// ANSI colours and a prompt (a TTY).
    pub interactive: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("terminal input/output: {0}")]
    Io(#[from] io::Error),
}

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// Renders a reply as terminal text. Actions are numbered from `first_action`;
/// returns the text and the commands of the numbered actions.
pub fn render(reply: &Reply, color: bool, first_action: usize) -> (String, Vec<String>) {
    let style = |s: &str, code: &str| {
        if color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_owned()
        }
    };
    let mut out = Vec::new();
    let mut commands = Vec::new();
    let action = |label: &str, command: &str, commands: &mut Vec<String>| {
        commands.push(command.to_owned());
        let n = first_action + commands.len() - 1;
        format!(
            "[{n}] {} {}",
            strip_controls(label),
            style(&format!("({command})"), DIM)
        )
    };
    for block in &reply.blocks {
        match block {
            Block::Heading { text } => out.push(style(&strip_controls(text), BOLD)),
            Block::Text { text } | Block::Data { text } => out.push(strip_controls(text)),
            // Room operations belong to networks with rooms.
            Block::RoomInvite { .. } | Block::AddToGroup { .. } => {}
            Block::AskLocation { label } => out.push(style(
                &format!("{} — geo:LAT,LON", strip_controls(label)),
                DIM,
            )),
            Block::List { items } => {
                for item in items {
                    out.push(format!("• {}", style(&strip_controls(&item.title), BOLD)));
                    for d in &item.details {
                        for line in strip_controls(d).lines() {
                            out.push(format!("  {line}"));
                        }
                    }
                    let acts: Vec<String> = item
                        .actions
                        .iter()
                        .map(|a| action(&a.label, &a.command, &mut commands))
                        .collect();
                    if !acts.is_empty() {
                        out.push(format!("  {}", acts.join("  ")));
                    }
                }
            }
            Block::Actions { actions } => {
                let acts: Vec<String> = actions
                    .iter()
                    .map(|a| action(&a.label, &a.command, &mut commands))
                    .collect();
                out.push(style(&acts.join("  "), CYAN));
            }
        }
    }
    (out.join("\n"), commands)
}

/// What a typed line is: a shared location, a numbered button, or text.
fn content_of(line: &str, buttons: &[String]) -> Content {
    if let Ok(p) = GeoPoint::parse_uri(line)
        && !line.contains(char::is_whitespace)
    {
        return Content::Location(p);
    }
    if let Ok(n) = line.parse::<usize>()
        && let Some(cmd) = n.checked_sub(1).and_then(|i| buttons.get(i))
    {
        return Content::Button(cmd.clone());
    }
    Content::Text(line.to_owned())
}

/// Runs the console until the end of `input`. Bad input is answered, never fatal.
pub async fn run<R, W>(
    engine: &Engine,
    opts: &ConsoleOptions,
    input: R,
    mut output: W,
) -> Result<(), ConsoleError>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut lines = input.lines();
    let mut buttons: Vec<String> = Vec::new();
    deliver_pending(engine, opts, &mut output).await?;
    loop {
        if opts.interactive {
            output
                .write_all(format!("{BOLD}> {RESET}").as_bytes())
                .await?;
            output.flush().await?;
        }
        let line = match lines.next_line().await {
            Ok(Some(l)) => l,
            Ok(None) => break,
            // Not UTF-8: say so and go on with the next line.
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                output.write_all(b"(?)\n").await?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let incoming = Incoming {
            chat_check: None,
            chat: None,
            event_id: None,
            message_id: None,
            identity: opts.identity.clone(),
            display_name: Some(opts.display_name.clone()),
            lang_hint: None,
            content: content_of(line, &buttons),
        };
        let replies = match engine.handle(incoming).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "message failed");
                vec![engine.internal_error_reply(Default::default())]
            }
        };
        buttons.clear();
        let mut text = Vec::new();
        for reply in &replies {
            let (t, cmds) = render(reply, opts.interactive, buttons.len() + 1);
            buttons.extend(cmds);
            text.push(t);
        }
        output.write_all(text.join("\n\n").as_bytes()).await?;
        output.write_all(b"\n\n").await?;
        output.flush().await?;
        deliver_pending(engine, opts, &mut output).await?;
    }
    output.flush().await?;
    Ok(())
}

/// Shows the messages waiting for this person, then marks them delivered.
async fn deliver_pending<W>(
    engine: &Engine,
    opts: &ConsoleOptions,
    output: &mut W,
) -> Result<(), ConsoleError>
where
    W: AsyncWrite + Unpin,
{
    let pending = match engine.pending(&opts.identity).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "cannot read pending messages");
            return Ok(());
        }
    };
    for msg in pending {
        // The console has no rooms: changes to rooms are not shown.
        if let Some(reply) = msg.reply() {
            let (text, _) = render(reply, opts.interactive, 1);
            output
                .write_all(format!("📬 {}\n\n", text).as_bytes())
                .await?;
            output.flush().await?;
        }
        if let Err(e) = engine.delivered(msg.id).await {
            tracing::error!(error = %e, "cannot mark a message delivered");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use kohero_core::reply::{Action, ListItem};

    #[test]
    fn renders_lists_and_numbered_actions() {
        let r = Reply::text("Hello <b>\u{1b}[31m")
            .list(vec![ListItem {
                tag: None,
                title: "#1 A".into(),
                details: vec!["d".into()],
                actions: vec![Action::new("Voir", "/voir 1")],
            }])
            .actions(vec![Action::new("Suivant", "/pres p2")]);
        let (text, cmds) = render(&r, false, 1);
        assert!(text.contains("Hello <b>[31m"), "{text}");
        assert!(text.contains("[1] Voir (/voir 1)"));
        assert!(text.contains("[2] Suivant (/pres p2)"));
        assert_eq!(cmds, vec!["/voir 1", "/pres p2"]);
    }

    #[test]
    fn lines_become_contents() {
        let b = vec!["/voir 1".to_owned()];
        assert!(matches!(content_of("geo:45,4", &b), Content::Location(_)));
        assert_eq!(content_of("1", &b), Content::Button("/voir 1".into()));
        assert_eq!(content_of("2", &b), Content::Text("2".into()));
        assert_eq!(
            content_of("geo:45,4 3km", &b),
            Content::Text("geo:45,4 3km".into())
        );
    }
}
