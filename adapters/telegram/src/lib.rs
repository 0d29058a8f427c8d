//! Kohero on Telegram, through the Bot API with teloxide: long polling intake with
//! exactly-once handling (`update_id`), and a [`Sender`] that renders replies as
//! HTML with inline keyboards whose callback data are opaque ids.
//!
//! Private chats only in this version; group linking and forum topics come later.

mod intake;
mod relay;
pub mod render;
mod sender;

pub use sender::TelegramSender;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use kohero_core::domain::Lang;
use kohero_core::ports::AdapterStore;
use teloxide::RequestError;
use teloxide::payloads::{SetMyCommandsSetters, SetWebhookSetters};
use teloxide::requests::Requester;
use teloxide::types::{AllowedUpdate, BotCommand, BotCommandScope};

pub use teloxide::Bot;

/// The network name in identities and addresses.
pub const NETWORK: &str = "telegram";
/// Callback data prefix of Kohero's buttons.
const ACTION_PREFIX: &str = "a:";

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid Bot API URL {0:?}")]
    Url(String),
    #[error("the Bot API refused the token or could not be reached: {0}")]
    GetMe(RequestError),
    #[error("cannot set the bot's commands: {0}")]
    Commands(RequestError),
    #[error("cannot set or remove the webhook: {0}")]
    Webhook(RequestError),
}

fn allowed_updates() -> Vec<AllowedUpdate> {
    vec![
        AllowedUpdate::Message,
        AllowedUpdate::EditedMessage,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::ChatJoinRequest,
    ]
}

/// What a webhook request gets back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookAnswer {
    /// 200: handled (or nothing to do).
    Accepted,
    /// 401: the secret token is missing or wrong.
    Unauthorized,
    /// 400: not an update.
    BadRequest,
    /// 500: not recorded; Telegram sends it again.
    Retry,
}

/// Compares without stopping at the first difference.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A connected bot: its name, and what it needs to send and receive.
#[derive(Clone)]
pub struct Telegram {
    bot: Bot,
    store: AdapterStore,
    username: String,
    /// The bot itself (its relayed copies are never relayed again).
    me: teloxide::types::UserId,
    connected: Arc<AtomicBool>,
    /// getChatMember's recent answers (see `intake::Roles`).
    roles: Arc<intake::Roles>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for Telegram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telegram").finish_non_exhaustive()
    }
}

/// The command menu, in French (default) and English. Names use only a-z, 0-9, _.
fn commands(lang: Lang) -> Vec<BotCommand> {
    let list: &[(&str, &str, &str)] = &[
        ("pres", "Initiatives autour de moi", "near"),
        ("chercher", "Chercher par mots", "search"),
        ("proposer", "Proposer une idée", "propose"),
        ("fil", "L'actualité de ce que je suis", "feed"),
        ("abonner", "M'abonner à un lieu", "subscribe"),
        ("alertes", "Régler mes alertes", "alerts"),
        ("profil", "Mon profil", "profile"),
        ("langue", "Changer de langue", "language"),
        ("mesdonnees", "Mes données", "mydata"),
        ("aide", "Aide", "help"),
    ];
    let en: &[&str] = &[
        "Initiatives near me",
        "Search by words",
        "Propose an idea",
        "News from what I follow",
        "Subscribe to a place",
        "Set my alerts",
        "My profile",
        "Change language",
        "My data",
        "Help",
    ];
    list.iter()
        .zip(en)
        .map(|((fr_cmd, fr_desc, en_cmd), en_desc)| match lang {
            Lang::Fr => BotCommand::new(*fr_cmd, *fr_desc),
            Lang::En => BotCommand::new(*en_cmd, *en_desc),
        })
        .collect()
}

impl Telegram {
    /// Checks the token (`getMe`), publishes the command menus, and registers the
    /// webhook (`Some((public URL, secret))`) or removes any (long polling).
    pub async fn connect(
        token: &str,
        api_url: &str,
        store: AdapterStore,
        webhook: Option<(&str, &str)>,
    ) -> Result<Self, ConnectError> {
        let url = url::Url::parse(api_url).map_err(|_| ConnectError::Url(api_url.to_owned()))?;
        let bot = Bot::new(token).set_api_url(url);
        let me = bot.get_me().await.map_err(ConnectError::GetMe)?;
        match webhook {
            Some((public, secret)) => {
                let public =
                    url::Url::parse(public).map_err(|_| ConnectError::Url(public.to_owned()))?;
                bot.set_webhook(public)
                    .secret_token(secret)
                    .allowed_updates(allowed_updates())
                    .await
                    .map_err(ConnectError::Webhook)?;
            }
            None => {
                bot.delete_webhook().await.map_err(ConnectError::Webhook)?;
            }
        }
        let username = me.username().to_owned();
        for (lang, code) in [(Lang::Fr, None), (Lang::En, Some("en"))] {
            for scope in [
                BotCommandScope::AllPrivateChats,
                BotCommandScope::AllGroupChats,
            ] {
                let mut req = bot.set_my_commands(commands(lang)).scope(scope);
                if let Some(code) = code {
                    req = req.language_code(code);
                }
                req.await.map_err(ConnectError::Commands)?;
            }
        }
        tracing::info!(%username, "connected to Telegram");
        Ok(Self {
            bot,
            store,
            username,
            me: me.id,
            connected: Arc::new(AtomicBool::new(true)),
            roles: Arc::default(),
        })
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn connected(&self) -> Arc<AtomicBool> {
        self.connected.clone()
    }

    /// The sender, re-uploading relayed images from the networks `shelf`
    /// knows.
    pub fn sender(&self, shelf: Arc<kohero_core::ports::FileShelf>) -> Arc<TelegramSender> {
        Arc::new(TelegramSender::new(
            self.bot.clone(),
            self.store.clone(),
            self.username.clone(),
            shelf,
        ))
    }

    /// Telegram's files (`getFile`, then the download), for other networks'
    /// senders.
    pub fn files(&self) -> Arc<dyn kohero_core::ports::Files> {
        Arc::new(TelegramFiles {
            bot: self.bot.clone(),
        })
    }
}

/// Files people sent on Telegram, read through the Bot API.
struct TelegramFiles {
    bot: Bot,
}

#[async_trait::async_trait]
impl kohero_core::ports::Files for TelegramFiles {
    async fn fetch(
        &self,
        source: &str,
        max: u64,
    ) -> Result<Option<Vec<u8>>, kohero_core::ports::SendError> {
        use teloxide::net::Download;
        let file = self
            .bot
            .get_file(teloxide::types::FileId(source.to_owned()))
            .await
            .map_err(|e| kohero_core::ports::SendError::Temporary(e.to_string()))?;
        if u64::from(file.meta.size) > max {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        self.bot
            .download_file(&file.path, &mut bytes)
            .await
            .map_err(|e| kohero_core::ports::SendError::Temporary(e.to_string()))?;
        Ok((bytes.len() as u64 <= max).then_some(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_follow_telegram_rules() {
        for lang in [Lang::Fr, Lang::En] {
            for c in commands(lang) {
                assert!(
                    c.command
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'),
                    "{}",
                    c.command
                );
            }
        }
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
    }
}
