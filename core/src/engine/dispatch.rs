//! Dispatch: what a message is (a dialogue answer, a command, a location, a
//! message in a project's chat) and which module's function answers it.

use crate::command::{self, Command, ParseError, Parsed};
use crate::domain::*;
use crate::error::EngineError;
use crate::inbox::{Content, Incoming};
use crate::ports::StoreError;
use crate::reply::Reply;

use super::ctx::parse_refusal;
use super::{
    Ctx, Dialogue, Engine, Fail, Outcome, accounts, actors, alerts, consultations, democracy,
    dialogue, digest, discover, initiatives, moderation, needs, profile, project, refuse, relay,
    rooms,
};

/// What intake knows of the sender's ban.
pub(super) enum BanCheck {
    Clear,
    /// A known person's ban in force.
    Known(Ban),
    /// An identity Kohero does not know: this answer (none in a shared chat).
    Stranger(Option<Reply>),
}

impl Engine {
    /// Handles one message: every effect and every message for others is committed
    /// together, or nothing is when the message is refused.
    /// A panic while handling is an error (`EngineError::Failed`), and nothing of
    /// the message is written.
    #[tracing::instrument(skip_all, fields(identity = %incoming.identity))]
    /// A transaction given up for a concurrent one is run again.
    pub async fn handle(&self, incoming: Incoming) -> Result<Vec<Reply>, EngineError> {
        crate::retry::on_conflict("message", || self.handle_once(incoming.clone())).await
    }

    async fn handle_once(&self, incoming: Incoming) -> Result<Vec<Reply>, EngineError> {
        match crate::unwind::CatchUnwind::new(self.handle_unguarded(incoming)).await {
            Ok(r) => r,
            Err(panic) => {
                self.failed_updates
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Err(EngineError::Failed(format!(
                    "panic: {}",
                    crate::unwind::panic_message(panic.as_ref())
                )))
            }
        }
    }

    async fn handle_unguarded(&self, incoming: Incoming) -> Result<Vec<Reply>, EngineError> {
        let mut tx = self.store.begin().await?;
        let banned = match self.ban_at_intake(&mut tx, &incoming).await? {
            BanCheck::Stranger(reply) => return Ok(reply.into_iter().collect()),
            BanCheck::Known(ban) => Some(ban),
            BanCheck::Clear => None,
        };
        let actor = self.actor_of(&mut tx, &incoming).await?;
        let lang = actor.lang;
        let mut ctx = self.ctx(tx, actor, self.key_base(&incoming));
        ctx.banned = banned;
        ctx.identity = Some(incoming.identity.clone());
        match self.dispatch(&mut ctx, incoming.content).await {
            Ok(replies) => {
                let Ctx { tx, touched, .. } = ctx;
                tx.commit().await?;
                self.apply_to_index(&touched);
                self.after_index_writes().await;
                Ok(replies)
            }
            Err(fail) => {
                // Dropping the transaction rolls back whatever was written.
                drop(ctx);
                Ok(vec![self.refusal(lang, fail)?])
            }
        }
    }

    /// Whether the sender is banned: a known person's ban goes with the
    /// message (see [`Engine::dispatch`]); an identity Kohero does not know
    /// is answered here, and nothing of it is created.
    pub(super) async fn ban_at_intake(
        &self,
        tx: &mut Box<dyn crate::ports::Tx>,
        incoming: &Incoming,
    ) -> Result<BanCheck, StoreError> {
        let now = self.clock.now();
        let Some(ban) = tx
            .ban_of(&incoming.identity)
            .await?
            .filter(|b| b.in_force(now))
        else {
            return Ok(BanCheck::Clear);
        };
        if tx.actor_by_identity(&incoming.identity).await?.is_some() {
            return Ok(BanCheck::Known(ban));
        }
        let private = incoming
            .chat
            .as_ref()
            .is_none_or(|c| *c == incoming.identity.id);
        let answers = matches!(
            incoming.content,
            Content::Text(_) | Content::Button(_) | Content::Location(_)
        );
        Ok(BanCheck::Stranger(moderation::stranger_reply(
            &self.cat,
            &ban,
            incoming.lang_hint.unwrap_or_default(),
            private && answers,
        )))
    }

    pub(super) async fn dispatch(&self, ctx: &mut Ctx<'_>, content: Content) -> Outcome {
        let state = match ctx.tx.dialogue(ctx.actor.id).await? {
            Some(raw) => Some(serde_json::from_str::<Dialogue>(&raw).map_err(|e| {
                StoreError::Corrupt(format!("dialogue of actor {}: {e}", ctx.actor.id))
            })?),
            None => None,
        };
        if let Some(ban) = &ctx.banned
            && !moderation::allowed_while_banned(&content, state == Some(Dialogue::Forget))
        {
            // In a shared chat the ban is not announced to everyone.
            if ctx.room.is_some() {
                return Ok(Vec::new());
            }
            return Err(Fail::Reply(Reply::text(moderation::banned_message(
                ctx.cat,
                ctx.lang(),
                &ctx.actor.tz,
                ban.until,
                &ban.reason,
            ))));
        }
        if let Some(room) = ctx.room.clone() {
            return self.in_room(ctx, room, content).await;
        }
        if let Content::Moved(p) = content {
            ctx.actor.location = Some(p.rounded());
            let actor = ctx.actor.clone();
            ctx.tx.update_actor(&actor).await?;
            return Ok(Vec::new());
        }
        let is_command = |s: &str| {
            let s = s.trim_start();
            s.starts_with('/') || s.starts_with('!')
        };
        if let Some(state) = state {
            return match content {
                // The erasure's question: yes erases, anything else cancels.
                Content::Text(t) | Content::Button(t)
                    if state == Dialogue::Forget && !is_command(&t) =>
                {
                    if dialogue::is_yes(&t) {
                        profile::forget_now(ctx).await
                    } else {
                        dialogue::cancel(ctx).await
                    }
                }
                // « Proposer quand même » pressed again, or late: never a
                // title or a description.
                Content::Button(t)
                    if dialogue::is_go_on(&t)
                        && !matches!(state, Dialogue::Propose { waiting: true, .. }) =>
                {
                    Ok(vec![dialogue::prompt(ctx, &state)])
                }
                Content::Text(t) | Content::Button(t) if !is_command(&t) => {
                    dialogue::answer(ctx, state, dialogue::Answer::Text(t)).await
                }
                Content::Location(p) => {
                    dialogue::answer(ctx, state, dialogue::Answer::Location(p)).await
                }
                Content::Moved(_)
                | Content::ChatMoved(_)
                | Content::JoinRequest
                | Content::Said { .. }
                | Content::Edited { .. }
                | Content::Retracted { .. } => Ok(Vec::new()),
                Content::Text(t) | Content::Button(t) => {
                    match command::parse(&t).map_err(parse_refusal)? {
                        Parsed::Command(Command::Cancel) => dialogue::cancel(ctx).await,
                        Parsed::Command(Command::Help) => {
                            Ok(vec![profile::help(ctx), dialogue::prompt(ctx, &state)])
                        }
                        Parsed::Command(Command::Forget { confirmed: true })
                            if state == Dialogue::Forget =>
                        {
                            profile::forget_now(ctx).await
                        }
                        // The buttons of what is alike: joining or supporting
                        // another initiative ends the proposal; seeing one
                        // keeps it, and asks again.
                        Parsed::Command(c @ (Command::Join(_) | Command::Support(_)))
                            if matches!(state, Dialogue::Propose { waiting: true, .. }) =>
                        {
                            dialogue::end(ctx).await?;
                            self.run(ctx, c).await
                        }
                        Parsed::Command(c @ Command::Show(_))
                            if matches!(state, Dialogue::Propose { waiting: true, .. }) =>
                        {
                            let mut replies = self.run(ctx, c).await?;
                            replies.push(dialogue::prompt(ctx, &state));
                            Ok(replies)
                        }
                        _ => Err(refuse!("dialogue-in-progress")),
                    }
                }
            };
        }
        let parsed = match content {
            Content::Location(p) => return discover::shared_location(ctx, p).await,
            // Relayed by intake (`Engine::relay_event`), not answered.
            Content::Moved(_)
            | Content::ChatMoved(_)
            | Content::JoinRequest
            | Content::Said { .. }
            | Content::Edited { .. }
            | Content::Retracted { .. } => {
                return Ok(Vec::new());
            }
            Content::Text(t) => command::parse(&t).map_err(parse_refusal)?,
            Content::Button(t) => match command::parse(&t) {
                Ok(Parsed::Command(c)) => Parsed::Command(c),
                _ => return Err(refuse!("button-invalid")),
            },
        };
        match parsed {
            Parsed::Text(_) => Err(refuse!("not-a-command")),
            Parsed::Command(c) => self.run(ctx, c).await,
        }
    }

    /// A message in a shared chat: only commands about the chat's project are
    /// served; other messages are neither stored nor answered.
    async fn in_room(&self, ctx: &mut Ctx<'_>, room: Address, content: Content) -> Outcome {
        let text = match content {
            Content::Text(t) | Content::Button(t) => t,
            Content::ChatMoved(to) => {
                ctx.tx
                    .move_room(&room, &Address::new(room.network.clone(), to))
                    .await?;
                return Ok(Vec::new());
            }
            Content::JoinRequest => return rooms::admit(ctx, &room).await,
            Content::Location(_)
            | Content::Moved(_)
            | Content::Said { .. }
            | Content::Edited { .. }
            | Content::Retracted { .. } => return Ok(Vec::new()),
        };
        let t = text.trim_start();
        if !(t.starts_with('/') || t.starts_with('!')) {
            return Ok(Vec::new());
        }
        let linked = ctx.tx.room_initiative(&room).await?;
        let text = match linked {
            Some(id) => command::with_default_id(&text, id),
            None => text,
        };
        match command::parse(&text) {
            Ok(Parsed::Command(Command::Link(id))) => rooms::link(ctx, &room, id).await,
            // The bot was added with an "add to group" link for #N.
            Ok(Parsed::Command(Command::Start(Some(p)))) => {
                match p.strip_prefix('l').and_then(command::parse_initiative_id) {
                    Some(id) => rooms::link(ctx, &room, id).await,
                    None => Err(refuse!("room-commands")),
                }
            }
            Ok(Parsed::Command(Command::LinkCommune(insee))) => {
                rooms::link_commune(ctx, &room, insee.as_deref()).await
            }
            // A report or an appeal typed in a group: answered in private, so
            // that the group does not read who reported what.
            Ok(Parsed::Command(c @ (Command::Report { .. } | Command::Appeal(_)))) => {
                let replies = match self.run(ctx, c).await {
                    Ok(replies) => replies,
                    Err(Fail::User(msg)) => vec![Reply::text(ctx.t(msg.id, &msg.args))],
                    Err(Fail::Reply(r)) => vec![r],
                    Err(e) => return Err(e),
                };
                let me = ctx.actor.id;
                for r in replies {
                    ctx.notify(me, r).await?;
                }
                Ok(Vec::new())
            }
            Ok(Parsed::Command(
                c @ (Command::Update(..)
                | Command::Event(..)
                | Command::ChangeEvent(..)
                | Command::Members(_)
                | Command::Show(_)
                | Command::Relay(..)
                | Command::Need { .. }
                | Command::CloseNeed(_)
                // An event's RSVP buttons (reactions on Matrix) are posted in the room.
                | Command::Rsvp(..)),
            )) => self.run(ctx, c).await,
            Ok(Parsed::Command(Command::Help)) | Ok(Parsed::Command(_)) => {
                Err(refuse!("room-commands"))
            }
            Ok(Parsed::Text(_)) => Ok(Vec::new()),
            Err(ParseError::UnknownCommand(_)) => Err(refuse!("room-commands")),
            Err(e) => Err(parse_refusal(e)),
        }
    }

    async fn run(&self, ctx: &mut Ctx<'_>, c: Command) -> Outcome {
        use Command as C;
        match c {
            C::Help => Ok(vec![profile::help(ctx)]),
            C::Start(payload) => profile::start(ctx, payload).await,
            C::Near(area) => discover::near(ctx, area).await,
            C::Search { text, page } => discover::search(ctx, &text, page).await,
            C::Feed(area) => discover::feed(ctx, area).await,
            C::Subscribe(area) => discover::subscribe(ctx, area).await,
            C::Unsubscribe => discover::unsubscribe(ctx).await,
            C::Propose(parts) => dialogue::propose(ctx, parts).await,
            C::Show(id) => initiatives::show(ctx, id).await,
            C::Edit(id, change) => initiatives::edit(ctx, id, change).await,
            C::Support(id) => initiatives::support(ctx, id).await,
            C::Launch(id) => initiatives::launch(ctx, id).await,
            C::Join(id) => initiatives::join(ctx, id).await,
            C::Follow(id) => initiatives::follow(ctx, id).await,
            C::Leave(id) => initiatives::leave(ctx, id).await,
            C::Members(id) => initiatives::members(ctx, id).await,
            C::CoOrganise(id, who) => initiatives::co_organise(ctx, id, &who).await,
            C::Accept(id) => initiatives::accept(ctx, id).await,
            C::Decline(id) => initiatives::decline(ctx, id).await,
            C::Drop(id) => initiatives::set_status(ctx, id, Status::Dropped).await,
            C::Done(id) => initiatives::set_status(ctx, id, Status::Done).await,
            C::Archive(id) => initiatives::set_status(ctx, id, Status::Archived).await,
            C::Update(id, text) => project::update(ctx, id, &text).await,
            C::Event(id, spec) => project::event(ctx, id, spec.as_deref()).await,
            C::ChangeEvent(id, change) => project::change_event(ctx, id, change).await,
            C::Rsvp(event, answer) => project::rsvp(ctx, event, answer).await,
            C::Profile(name) => profile::profile(ctx, name).await,
            C::Language(lang) => profile::language(ctx, lang).await,
            C::MyData => profile::my_data(ctx).await,
            C::Forget { .. } => profile::forget_ask(ctx).await,
            C::Cancel => Err(refuse!("nothing-to-cancel")),
            C::Link(_) | C::LinkCommune(_) => Err(refuse!("link-in-group")),
            C::Digest(arg) => digest::command(ctx, arg).await,
            C::Announce { now, text } => digest::announce(ctx, now, &text).await,
            C::Alerts(arg) => alerts::command(ctx, arg).await,
            C::Report {
                target,
                reason,
                text,
            } => moderation::report(ctx, target, reason, text).await,
            C::Appeal(target) => moderation::appeal(ctx, target).await,
            C::Moderation(arg) => moderation::command(ctx, arg).await,
            C::LinkAccount(arg) => accounts::link(ctx, arg).await,
            C::UnlinkAccount(network) => accounts::unlink(ctx, network).await,
            C::NotifyNetwork(network) => accounts::notify_network(ctx, &network).await,
            C::Relay(id, on) => relay::command(ctx, id, on).await,
            C::ProfileSet(field, value) => actors::set(ctx, field, &value).await,
            C::ShowActor(id) => actors::show(ctx, id).await,
            C::Actors(area, kind) => actors::near(ctx, area, kind).await,
            C::Team(arg) => actors::team(ctx, arg).await,
            C::Need {
                initiative,
                kind,
                quantity,
                detail,
                until,
            } => needs::add(ctx, initiative, kind, quantity, detail, until).await,
            C::CloseNeed(id) => needs::close(ctx, id).await,
            C::Needs(area, kind) => needs::near(ctx, area, kind).await,
            C::Contribute(to, message) => needs::contribute(ctx, to, message).await,
            C::AnswerOffer(id, accept) => needs::answer(ctx, id, accept).await,
            C::FollowActor(id, on) => actors::follow(ctx, id, on).await,
            C::TownAnswer {
                initiative,
                status,
                text,
            } => democracy::answer(ctx, initiative, status, &text).await,
            C::Consultation(arg) => consultations::command(ctx, arg).await,
            C::Vote(id, arg) => consultations::vote(ctx, id, arg).await,
            C::Results(id) => consultations::results(ctx, id).await,
        }
    }
}
