## Kohero — English messages

internal-error = Sorry, something went wrong on our side. Nothing was saved; please try again in a moment.
slow-down = Easy 🙂: you are sending many messages at once. Kohero will answer again in a few seconds; messages sent until then are ignored.
too-many-ideas = You already have { $n } open ideas: launch or drop some (/drop) before proposing another (/mydata lists them).
too-many-subscriptions = You already have { $n } subscriptions: remove some before adding one (/unsubscribe).
already-subscribed = You are already subscribed to { $what }.
alerts-more = … and { $n ->
    [one] one more initiative
   *[other] { $n } more initiatives
}.
update-failed = Sorry, your message could not be handled: the error has been recorded for the team. Nothing was changed; you can try again or write something else.
someone = Participant
not-a-command = I didn't understand. Send a command (for example /near or /propose) or /help for the list.
unknown-command = There is no /{ $command } command. Type /help for the list of commands.
button-invalid = This button is no longer valid. Type /help to start again.
dialogue-in-progress = You're in the middle of something: answer the question, or type /cancel to give it up.
nothing-to-cancel = There is nothing to cancel.
cancelled = Cancelled; nothing was saved.
page-empty = That page doesn't exist: there aren't that many results.

text-empty = { $field ->
    [title] The title
    [description] The description
    [update] The update
    [name] The name
    [announcement] The announcement
    [contact] The contact
    [skills] The list of skills
    [detail] The detail
    [message] The message
    [answer] The answer
    [question] The question
    [option] An option
   *[other] The text
} can't be empty.
text-too-long = { $field ->
    [title] The title
    [description] The description
    [update] The update
    [name] The name
    [announcement] The announcement
    [contact] The contact
    [skills] A skill
    [detail] The detail
    [message] The message
    [answer] The answer
    [question] The question
    [option] An option
   *[other] The text
} is { $len } characters long; the limit is { $max }. Please shorten it and send it again.

location-syntax = I don't recognise that place. Share your location, or write it like this: geo:45.7660,4.8795
location-range = Those coordinates are out of range: latitude goes from -90 to 90 and longitude from -180 to 180.
radius-too-large = The largest radius is 100 km.
radius-bad = I don't understand the radius "{ $radius }". Write for example 500m or 3km.
place-unknown = I can't find a commune called "{ $place }". Check the spelling, try the postcode, or share your location.
place-no-centre = I know { $commune }, but not where it is yet: share your location (or a geo:LAT,LON point) to search around it.
place-choose = Several communes are called "{ $place }" ({ $n }): which one?
need-location = Where should I look? Share your location, or write a place: /near geo:45.7660,4.8795 3km
category-unknown = I don't know the category "{ $category }". Categories: cleanup, compost, food, repair, antiwaste, mobility, nature, energy, solidarity, culture, other.

unknown-initiative = There is no initiative #{ $id }.
initiative-hidden = Initiative #{ $id } was hidden by the moderation team.
card-hidden = Hidden by the moderation team: it no longer shows anywhere.
unknown-event = There is no event E{ $event }.
not-organiser = Only the organisers of #{ $id } can do that.
initiative-closed = Initiative #{ $id } is no longer open for that.
already-role = You are already { $role } of #{ $id }.
not-member = You are not part of #{ $id }.

usage-show = Usage: /show NUMBER, for example /show 42
usage-edit = Usage: /edit NUMBER FIELD VALUE. Fields: title, description, category, place. For example: /edit 42 title New title
usage-support = Usage: /support NUMBER
usage-launch = Usage: /launch NUMBER
usage-join = Usage: /join NUMBER
usage-follow = Usage: /follow NUMBER
usage-leave = Usage: /leave NUMBER
usage-members = Usage: /members NUMBER
usage-update = Usage: /update NUMBER TEXT, for example /update 42 The bin is in place!
usage-event = Usage: /event NUMBER TITLE | DATE TIME [ZONE] | PLACE (optional) | DURATION (2h by default). For example: /event 42 Workshop | 2026-12-05 14:00 | geo:45.77,4.88 | 3h. To change or cancel one: /event E7 TITLE | DATE | PLACE [| DURATION], /event E7 cancel
usage-rsvp = Usage: /rsvp EVENT yes|no|maybe, for example /rsvp E7 yes
usage-search = Usage: /search TEXT, for example /search repair cafe
usage-language = Usage: /language fr or /language en
usage-coorganise = Usage: /coorganize NUMBER NAME (someone already part of the initiative)
usage-accept = Usage: /accept NUMBER
usage-decline = Usage: /decline NUMBER
usage-drop = Usage: /drop NUMBER (an idea)
usage-done = Usage: /done NUMBER (a project)
usage-archive = Usage: /archive NUMBER (a project)
usage-propose = Usage: /propose, or in one line: /propose TITLE | CATEGORY | PLACE | DESCRIPTION
usage-profile = Usage: /profile, /profile name NEW NAME, /profile skills gardening, DIY [5km] (what you can bring), or /profile network telegram|matrix|auto (where your notices arrive). For a verified actor: /profile description|place|website|contact|categories VALUE ("-" clears it).
usage-subscribe = Usage: /subscribe PLACE [RADIUS] [CATEGORIES], for example /subscribe geo:45.77,4.88 3km compost,nature — or share your location first, then type /subscribe.

cat-cleanup = Clean-up
cat-compost = Compost
cat-food = Food
cat-repair = Repair
cat-antiwaste = Anti-waste
cat-mobility = Mobility
cat-nature = Nature
cat-energy = Energy
cat-solidarity = Solidarity
cat-culture = Culture
cat-other = Other

status-idea-open = open idea
status-idea-launched = launched idea
status-idea-dropped = dropped idea
status-idea-active = idea
status-idea-done = idea
status-idea-archived = archived idea
status-project-open = project
status-project-launched = project
status-project-dropped = dropped project
status-project-active = active project
status-project-done = finished project
status-project-archived = archived project

role-organiser = organiser
role-member = member
role-supporter = supporter
role-follower = follower

kind-citizen = Citizen
kind-association = Association
kind-municipality = Town hall
kind-company = Company

count-supporters = { $n ->
    [0] no supporters
    [one] 1 supporter
   *[other] { $n } supporters
}
count-members = { $n ->
    [one] 1 member
   *[other] { $n } members
}

action-share-location = 📍 Share my location
action-enter-room = Enter the project's group
action-add-to-group = Create the project's group
action-show = Show
action-support = Support
action-join = Join
action-follow = Follow
action-launch = Launch the project
action-no-place = No place
action-no-description = No description
action-forget-confirm = Yes, erase everything
action-cancel = Cancel
action-accept = Accept
action-decline = Decline
action-members = Members
action-leave = Leave
action-event = Add an event
action-rsvp-yes = I'll be there
action-rsvp-maybe = Maybe
action-rsvp-no = No
action-propose = Propose an idea
action-next-page = Next page
action-unsubscribe = Unsubscribe
action-my-data = My data
action-forget = Forget me

propose-ask-title = Let's propose an initiative! What is its title? (120 characters at most; /cancel to give up)
propose-ask-category = Which category?
propose-ask-place = Where? Share a location (or write geo:LAT,LON), or answer "-" if there is no place.
propose-ask-description = Describe the idea in a few sentences (4,000 characters at most), or answer "-".
propose-title-first = I need a title first, as text.
propose-category-first = I need a category first.
propose-description-expected = I'm now waiting for the description, as text (or "-").
similar-before = Similar initiatives already exist nearby: joining or supporting one brings more people together. Otherwise, "Propose anyway" (or send the description).
similar-waiting = Join or support one of the similar initiatives, or "Propose anyway" to go on with yours.
similar-after = Similar initiatives exist nearby: joining or supporting one brings more people together; you may withdraw yours.
action-propose-anyway = Propose anyway
action-withdraw-mine = Withdraw mine
propose-created = Your idea #{ $id } "{ $title }" is published. Share it to gather supporters, then launch it as a project.

card-place = Place: { $place }
card-place-commune = Place: { $commune } · { $place }
card-no-organiser = nobody for now
card-organisers = Organised by: { $names }
card-page = 🔗 Page to share: { $url }
card-counts = { $supporters } supporter(s) · { $members } member(s) · { $followers } follower(s)
card-your-role = You are { $role }.
card-updates = Latest news:
card-events = Upcoming events:
card-offer = The organisers have left: would you like to organise #{ $id }?

edited = #{ $id } is updated.
support-project = #{ $id } is already a project: join it (/join { $id }) or follow it (/follow { $id }).
supported = Thank you! You support #{ $id } "{ $title }" ({ $n } supporter(s)).
launch-not-open = Only an open idea can be launched; #{ $id } isn't one.
launched = #{ $id } "{ $title }" is launched as a project! { $n } supporter(s) now follow it.
join-idea = #{ $id } is still an idea: support it (/support { $id }); you can join once it is launched.
joined = Welcome to #{ $id } "{ $title }"!
followed = You follow #{ $id } "{ $title }": its news will show in /feed.
left = You have left #{ $id } "{ $title }".
members-count = { $n } person(s):
members-private = And { $members } member(s), { $supporters } supporter(s): only the project's organisers and members see their names.
offer-notice = Nobody organises #{ $id } "{ $title }" any more. You have been part of it the longest: would you like to organise it?
offer-accepted = You now organise #{ $id } "{ $title }".
offer-declined = Noted: you won't organise #{ $id }.
no-offer = No role is offered to you for #{ $id }.
coorganise-unknown = Nobody called "{ $name }" is part of #{ $id }. They must first support, follow or join the initiative.
coorganise-ambiguous = Several people are called "{ $name }": use their identity (for example telegram:12345).
coorganise-already = { $name } already organises this initiative.
coorganise-notice = { $by } made you a co-organiser of #{ $id } "{ $title }".
coorganised = { $name } now co-organises #{ $id }.
status-not-allowed = That change isn't possible for #{ $id } ({ $status }).
status-changed = #{ $id }: { $status }.

project-not-active = #{ $id } is not an active project.
update-posted = Update posted for #{ $id } "{ $title }".
event-when-syntax = I don't understand the date. Write for example 2026-12-05 14:00 or 05/12/2026 14h00 (zone optional: Europe/Paris).
event-when-gap = That time doesn't exist on that day (clock change). Please pick another time.
event-in-past = That event is already over.
event-too-far = Events can be planned at most two years ahead (until { $max }).
event-created = Event E{ $event } "{ $title }" on { $when } ({ $tz }), for #{ $id } "{ $project }".
event-duration = I don't understand the duration. Write for example 3h, 1h30 or 45min (at most 7 days).
event-cancelled = Event E{ $event } is cancelled.
event-unchanged = Nothing changes for E{ $event }: it is already so.
event-cancelled-mirror = ❌ Event E{ $event } cancelled (#{ $id } "{ $title }").
event-changed-mirror = ✏️ Event E{ $event } changed (#{ $id } "{ $title }"):
event-cancel-done = Event E{ $event } "{ $title }" cancelled. { $told ->
    [0] Nobody had answered.
    [one] The person who had answered has been told.
   *[other] The { $told } people who had answered have been told.
}
event-change-done = Event E{ $event } "{ $title }" changed. { $told ->
    [0] Nobody had answered.
    [one] The person who had answered has been told.
   *[other] The { $told } people who had answered have been told.
}
event-cancelled-notice = ❌ Cancelled: E{ $event } "{ $title }" on { $when } ({ $tz }), for #{ $id } "{ $project }".
event-changed-notice = ✏️ A change to event E{ $event } you answered (#{ $id } "{ $project }"):
event-was = instead of { $when }
event-lasts = lasts { $duration }
rsvp-counts = Yes: { $yes } · Maybe: { $maybe } · No: { $no }
rsvp-yours = Your answer: { $answer }
rsvp-yes = yes
rsvp-no = no
rsvp-maybe = maybe
rsvp-recorded = Answer "{ $answer }" recorded for "{ $title }".

near-none = Nothing within { $radius } yet. Why not propose the first idea?
near-none-commune = Nothing within { $radius } of { $commune } yet. Why not propose the first idea?
near-found = { $n } initiative(s) within { $radius }:
near-found-commune = { $n } initiative(s) within { $radius } of { $commune }:
search-none = No initiative matches "{ $text }".
search-found = { $n } initiative(s) for "{ $text }":
feed-nothing-followed = You don't follow anything yet. Follow an initiative (/follow), or share your location to see what's happening around you.
feed-empty = Nothing new for now.
feed-around = News within { $radius }
feed-followed = News from what you follow
feed-created = new idea
feed-launched = launched as a project
feed-done = project finished
feed-updated = update: { $text }
feed-event = event E{ $event } "{ $title }" on { $when }
feed-event-gone = event
all-categories = all categories
subscription-line = { $radius } around { $place } ({ $categories })
subscriptions-current = Your subscriptions:
subscribed = Subscription saved: { $what }.
unsubscribe-none = You have no subscriptions.
unsubscribed = { $n } subscription(s) removed.

help-title = Kohero: act together, close to home
help-body =
    Discover
      /near [place] [radius] [category] [ideas|projects] — initiatives around (or share your location)
      /search TEXT — search by words
      /feed — news from what you follow
      /subscribe [place] [radius] [categories] · /unsubscribe
    Take part
      /propose — propose an idea
      /show NUMBER · /support · /follow · /join · /leave
      /rsvp EVENT yes|no|maybe
    Organise
      /edit · /launch · /update · /event · /members · /coorganize
      /drop · /done · /archive · /relay
    You
      /profile · /language · /alerts · /mydata · /forget · /cancel
      /link_account — one account across Telegram, Matrix and the console
    Needs
      /needs [place] [radius] [kind] — what projects around need
      /contribute B5 [message] — offer your help (or /contribute NUMBER)
      /need NUMBER KIND [QUANTITY] [| detail] · /need B5 close — for organisers
    Actors
      /actors [place] [radius] [associations|companies|townhalls] — associations, companies and town halls around
      /show A12 — an actor's profile
    Consultations
      /vote C3 N — answer your town hall's consultation · /results C3
    Verified actors
      /profile description|place|website|contact|categories · /team
    Verified town halls
      /digest · /announce · /answer NUMBER accepted|studying|declined TEXT
      /consult QUESTION | OPTION | OPTION… [| several] | until YYYY-MM-DD [now]
    Moderation
      /report NUMBER — report abuse · /appeal NUMBER — ask for a review
      /moderate — for the moderation team
welcome-title = Hello { $name }!
welcome-body = Kohero helps you start and run local initiatives: clean-ups, shared composters, community-supported farms, repair cafés… Share your location to see what's happening around you.
welcome-privacy = Kohero keeps your name, your language and what you do here; your location is rounded to 100 m and shown to nobody. /mydata shows everything, /forget erases everything.

profile-verified = verified ({ $communes })
profile-not-verified = not verified
profile-details = Language: { $lang } · Identities: { $identities } · Subscriptions: { $subscriptions } · Location: { $location }
profile-location-known = known (rounded, never shown)
profile-location-unknown = unknown
profile-initiatives = Your initiatives:
language-current = Current language: { $lang }.
language-set = Noted: I'll speak English with you.
my-data-intro = Here is everything Kohero keeps about you:
forget-ask = Erase all your data? Your support, subscriptions, answers and identities will be deleted; the initiatives you proposed will stay, without your name. Answer "yes" to confirm.
forgotten = Your data is erased. Goodbye, and thank you!

usage-link = Usage, in the project's group: /link NUMBER
room-linked = This group now belongs to #{ $id } "{ $title }": its updates and events will be posted here. Here: /update, /event, /members, /project.
room-linked-relay = What is written here is relayed into the project's other chats (Telegram, Matrix), and back: /relay off stops it. On Telegram, Kohero reads a group's messages only as an administrator: make it an administrator of the group.
room-is-forum = This forum belongs to a commune: each project gets its own topic there, made by Kohero at launch. Use /link in the project's own group.
room-taken = This group already belongs to #{ $id }: only an organiser of #{ $id } can link it to another project.
forum-is-project-room = This group belongs to a project: a commune forum must be a group of its own.
forum-taken = This forum already belongs to the commune { $commune }: only its town hall can link it elsewhere.
chat-not-admin = Only the owner and the administrators of this group can link it to a project or a commune.
chat-anonymous-admin = You are writing on behalf of the group (anonymous administrator): Kohero cannot check who you are. Turn off "Remain anonymous" in your administrator rights (or ask another administrator), then try again.
chat-rights-unknown = Your rights in this group cannot be checked right now: try again in a moment.
room-made-by-kohero = Kohero made this room for a project or a commune: it cannot be linked to anything else.
room-commands = In a group, Kohero answers /link, /update, /event, /members, /project and the answers to events (/rsvp); everything else happens in a private chat with the bot.
link-in-group = /link is used in the project's group, once the bot has been added to it.
update-mirror = 📝 #{ $id } "{ $title }" — { $author }: { $text }
event-mirror = 📅 New event for #{ $id } "{ $title }":
forum-not-municipality = Only a verified town hall can link a forum to its commune.
forum-not-yours = The commune { $commune } is not one of yours.
forum-which-commune = You speak for several communes: say which, for example /link_commune 69266.
forum-linked = This forum now belongs to { $commune }: every project launched in the commune gets its own topic here.

space-name = Kohero · { $commune }
room-name-done = { $label } (done)
room-topic-done = Project done. { $topic }
room-name-archived = { $label } (archived)
room-topic-archived = Project archived. { $topic }

# Digests and announcements
digest-not-municipality = Only a verified town hall can send the digest of its communes. Town halls ask the Kohero team to be verified.
usage-digest = Schedule: /digest MINUTE HOUR DAY MONTH WEEKDAY [ZONE], for example /digest 0 9 * * mon (every Monday at 9:00). /digest now sends it at once, /digest off stops the schedule. /announce TEXT adds an announcement to the next digest, /announce now TEXT sends it alone.
digest-scheduled = Your digest goes out on "{ $schedule }" ({ $tz }). Next: { $next }.
digest-unscheduled = Your digest is not scheduled.
digest-announcement-waiting = Announcement for the next digest: "{ $text }"
digest-stopped = Your digest is no longer scheduled. /digest now sends it whenever you like.
digest-bad-schedule = I don't understand the schedule "{ $schedule }" ({ $error }). It takes five fields: minute hour day month weekday, for example 0 9 * * mon.
digest-never = The schedule "{ $schedule }" never happens. Try for example 0 9 * * mon.
digest-on-page = It is also on the commune's public page: { $url }
digest-empty = Nothing new since the last digest: nothing was sent.
digest-queued = Digest on its way: { $n } message(s).
announcement-saved = Announcement saved: it will head the next digest.
announcement-sent = Announcement on its way: { $n } message(s).
usage-announce = Usage: /announce TEXT (with the next digest) or /announce now TEXT (at once, alone).
announcement-room-name = Announcements · { $commune }
announcement-room-topic = The digest and announcements of { $commune } town hall, by Kohero.
digest-title = { $from }'s digest — { $communes }
digest-period = From { $from } to { $to }:
digest-announcement-only = An announcement:
digest-announcement = 📣 { $text }
digest-more = … and { $n } more initiative(s): /feed to see them all.
digest-news-proposed = New idea
digest-news-launched = Project launched
digest-news-done = Project done
digest-news-update = News: { $text }
digest-news-event = 📅 { $title } — { $when }
digest-action-rsvp = I'll be there: { $title }

# Alerts and reminders
usage-alerts = /alerts on · /alerts off · /alerts quiet 22-8 (no alerts at night) · /alerts quiet off
alerts-off = Your alerts are off.
alerts-on = Your alerts are on, at most once an hour, never between { $from } and { $to } ({ $tz }).
alerts-on-no-quiet = Your alerts are on, at most once an hour, at any time.
alerts-title = News about { $n } initiative(s):
alerts-footer = /alerts to adjust these messages.
alert-new-initiative = A new initiative near you
alert-update = News: { $text }
alert-event = 📅 { $title } — { $when } (/rsvp { $event } yes)
alert-new-member = { $name } joined the project
reminder-24h = ⏰ Tomorrow: { $title } (#{ $id } "{ $project }"), { $when } ({ $tz }).
reminder-1h = ⏰ In one hour: { $title } (#{ $id } "{ $project }"), { $when } ({ $tz }).

## Moderation
usage-report = /report NUMBER [reason] [details] — report an initiative (#42), an update (U15), an event (E7) or a verified actor (A12). Reasons: spam, offensive, off-topic, personal-data, other.
usage-appeal = /appeal NUMBER — ask for a review of something of yours that was hidden (#42, U15, E7).
usage-moderation = /moderate — the open reports · /moderate hide|keep|warn ITEM [reason] · /moderate ban ITEM [days|forever] [reason] · /moderate unban ITEM · /moderate remove ITEM (its author leaves that project) · /moderate log
action-report = Report
reason-spam = Spam
reason-offensive = Offensive
reason-off-topic = Off topic
reason-personal-data = Personal data
reason-other = Other
reason-appeal = Review requested
report-unknown = There is nothing to report under { $target }.
report-own = { $target } is yours: you cannot report it.
report-why = Why report { $target }? Choose a reason (you may add details: /report { $target } spam …).
report-already = You already reported { $target }: the moderation team is on it.
report-thanks = Thank you: your report went to the moderation team. Nobody will know it was you.
action-appeal = Appeal
action-moderation = See the reports
mod-no-reason = no reason given
mod-autohidden-notice = Your post { $target } was reported by several people: it is hidden until the moderation team reviews it. You may ask for a review once: /appeal { $target }
mod-hidden-notice = The moderation team hid your post { $target }. Reason: { $reason }. You may ask for a review once: /appeal { $target }
mod-redact-reason = Hidden by Kohero's moderation team
mod-kept-notice = The moderation team reviewed { $target }: it stays visible.
mod-warn-default = it does not follow Kohero's rules
mod-warn-notice = A warning from the moderation team about { $target }: { $reason }.
mod-unbanned-notice = The moderation team lifted your suspension: you can use Kohero again.
mod-alert-report = New report: { $target }.
mod-alert-autohidden = { $target } was hidden after several reports: it waits for your review.
mod-alert-appeal = Its author asks for a review: { $target }.
appeal-not-yours = Only the author of { $target } can ask for its review.
appeal-not-hidden = { $target } is not hidden: there is nothing to appeal.
appeal-once = You already asked for a review of { $target }: it can be asked only once.
appeal-sent = Your request for a review of { $target } went to the moderation team. You will be told of its decision.
not-moderator = This command is for the moderation team.
not-moderator-here = { $target } is not in the communes you moderate.
mod-queue-empty = No report waiting.
mod-queue-title = Reports waiting: { $n }
mod-queue-since = reported since { $at }
mod-queue-hidden = hidden pending review
action-mod-hide = Hide
action-mod-keep = Keep
action-mod-warn = Warn
action-mod-ban = Ban 30 d
action-mod-log = Log
mod-log-title = Moderation log
mod-log-empty = The moderation log is empty.
mod-log-line = { $at } · { $action } { $target } · { $by } · { $reason }
mod-by-kohero = Kohero (or the operator)
mod-action-hide = hidden
mod-action-auto-hide = hidden on reports
mod-action-keep = kept
mod-action-warn = warned
mod-action-ban = banned
mod-action-unban = unbanned
mod-action-appeal = review requested
mod-actor-not-hidden = An actor is not hidden: warn or ban them, or ask the operator to revoke their verification.
mod-no-author = Its author is no longer known to Kohero: hide or keep the item.
mod-ban-instance-only = Only instance-wide moderators can ban: hide the item and tell the operator.
mod-ban-self = You cannot ban yourself.
mod-ban-moderator = A moderator is not banned: the operator can take the role away (kohero admin moderator remove).
mod-not-banned = The author of { $target } is not banned.
mod-done-hide = { $target } is hidden; its author is told.
mod-done-keep = { $target } is kept; its reports are closed.
mod-done-warn = The author of { $target } is warned.
mod-done-ban = The author of { $target } is banned; their open ideas are hidden.
mod-done-unban = The author of { $target } is no longer banned (what was hidden stays so: /moderate keep to restore it).
mod-done-ban-identity = { $identity } is banned.
mod-done-unban-identity = { $identity } is no longer banned.
mod-team = the moderation team
banned = Your account is suspended until { $until } by the moderation team. Reason: { $reason }. You can still see (/mydata) or erase (/forget) your data.
banned-forever = Your account is suspended for good by the moderation team. Reason: { $reason }. You can still see (/mydata) or erase (/forget) your data.
name-taken-verified = This name belongs to a verified actor: choose another.
mod-action-remove = removed from the project
mod-remove-needs-item = Remove whom, from where? Give an initiative, an update or an event: its author is taken out of that project.
mod-not-member = The author of { $target } is not in that project.
mod-removed-notice = The moderation team took you out of project #{ $id }.
mod-done-remove = The author of { $target } is out of the project.
mod-own = { $target } is yours: another member of the moderation team will see to it.
mod-instance-only = Only instance-wide moderators can do that for a banned person.
report-hidden = { $target } is already hidden: the moderation team is on it. Thank you.
report-too-many = You already have { $n } reports waiting: the moderation team reviews them before taking more from you.

# One person across networks.
usage-relay = Usage: /relay NUMBER on|off (in the project's group: /relay on|off); with neither, how relaying stands.
relay-on = Relaying on for #{ $id }: what is written in one of the project's chats is repeated in the others, with the author's name and network.
relay-off = Relaying off for #{ $id }: each of the project's chats keeps its messages. Updates and events are still posted everywhere.
relay-turned-on = { $name } turned relaying on: what is written here is repeated in the project's other chats.
relay-turned-off = { $name } turned relaying off: what is written here stays here.
relay-state-on = Relaying is on for #{ $id } (/relay off to stop it).
relay-state-off = Relaying is off for #{ $id } (/relay on to start it).
relay-needs-two = Relaying joins #{ $id }'s chats on Telegram and Matrix: it starts once the project has two (a Telegram group linked with /link and its Matrix room).
usage-link-account = Usage: /link_account to get a code, then /link_account CODE (six digits) from your other account; /unlink_account [telegram|matrix|console] to separate an identity.
link-code = Your code: { $code } — valid for { $minutes } minutes, once. From your other account (Telegram, Matrix or the console), send: /link_account { $code }. I will ask you here to confirm. Do not give this code to anyone.
link-code-invalid = This code is not (or no longer) valid. Ask for a new one with /link_account on your other account.
link-too-many-tries = Too many wrong codes: try again in an hour.
link-busy = Too many code attempts on Kohero right now: try again a little later.
link-already-one = These two identities are already one account.
link-same-network = This code is typed from a network other than { $network }.
link-two-verified = Two verified actors cannot be joined into one account.
link-network-taken = Both accounts already have a { $network } identity: an account keeps one per network. First separate one of them with /unlink_account { $network }.
link-confirm-ask = { $who } (“{ $name }”) wants to join your Kohero account. If it is you, confirm within { $minutes } minutes: your supports, projects, subscriptions and settings will become one. Otherwise, refuse.
link-asked = Request sent: confirm it from your { $network } account within { $minutes } minutes. Once confirmed, this account and that one become one: never type a code someone else gave you.
link-nothing-to-confirm = No link request waiting (or it expired).
link-done = Done: { $identities } are now one Kohero account. /mydata shows everything; /unlink_account separates an identity.
link-refused = Your link request was refused.
link-refused-done = Request refused: nothing was linked.
link-no-identity = This command is used from a messaging app.
unlink-only-one = Your account has only one identity: nothing to separate.
unlink-no-such = Your account has no { $network } identity.
unlink-done-self = { $identity } is now an account of its own, starting afresh (what had been joined stays with your account).
unlink-done = { $identity } is no longer part of your account.
network-unknown = No { $network } identity in your account (you have: { $networks }). Usage: /profile network telegram|matrix|auto
network-set = Your notices will arrive on { $network }.
network-auto = Your notices will arrive on the network you used last.
action-confirm = Confirm
action-refuse = Refuse
link-banned = A suspended account cannot be linked to another.
link-moderator = A moderation team account is not linked: ask the instance's operator.
unlink-from-there = To separate your { $network } identity, send /unlink_account from { $network }: one identity cannot send another away.

# Verified actors (issue 19)
card-carried-by = Carried by { $name } (A{ $id })
unknown-actor = I don't know any actor A{ $id }. Only verified associations, companies and town halls have a profile: /actors shows those around you.
profile-not-actor = That field belongs to a verified actor (association, company, town hall), and you don't act for one. Your own profile: /profile name, /profile skills.
profile-bad-site = I don't recognise that website address: write it in full, for example https://my-group.org
profile-bad-category = I don't know the category "{ $word }". Categories: cleanup, compost, food, repair, antiwaste, mobility, nature, energy, solidarity, culture, other.
profile-too-many = That's too many: { $max } at most.
profile-actor-saved = Saved on { $name }'s profile.
skills-saved = Noted: you can bring { $skills }, within { $radius }. Needs of nearby projects that match will be pointed out to you.
skills-cleared = Your skills are cleared.
actor-categories = Themes: { $list }
actor-place = Where: { $commune }
actor-site = Website: { $site }
actor-contact = Contact: { $contact }
actor-initiatives = Its initiatives:
actor-no-initiatives = No initiative carried yet.
actor-open-initiatives = { $n ->
    [0] no initiative
    [one] 1 initiative
   *[other] { $n } initiatives
}
actors-none = No verified actor within { $radius }. Widen the radius, for example /actors 20km.
actors-found = { $n ->
    [one] 1 verified actor
   *[other] { $n } verified actors
} within { $radius }:
team-not-actor = /team is for people who act for a verified actor. Associations, companies and town halls are verified by the people who run Kohero.
team-title = { $actor }'s team ({ $n ->
    [0] nobody but its account
    [one] 1 person
   *[other] { $n } people
})
team-account = The actor's account: { $name }
usage-team = Usage: /team add NETWORK:ID (for example telegram:12345 or matrix:@alice:example.org: the person must have written to Kohero before, and accept), /team remove NUMBER (from the list) or NETWORK:ID. An invited person answers /team accept A12 or /team refuse A12.
team-bad-identity = "{ $who }" is not an identity: write NETWORK:ID, for example telegram:12345 or matrix:@alice:example.org.
team-unknown-identity = { $who } has never written to Kohero: ask them to send /start, then try again.
team-already = { $who } already acts for this actor.
team-verified = { $who } is a verified actor's own account: it can't join another's team.
team-elsewhere = { $who } already acts for another verified actor, or is invited to; a person acts for one actor at a time.
team-full = The team is full ({ $max } people at most): remove someone first.
team-not-member = { $who } is not on the team.
team-invited = { $who } is invited to act for { $actor }: they have to accept.
team-removed = { $who } no longer acts for { $actor }.
team-invited-you = { $by } invites you to act for { $actor }: edit its profile (/profile description…), propose ideas in its name, manage its team (/team). Do you accept?
team-accepted = { $who } now acts for { $actor }.
team-joined = Done: you now act for { $actor }. The ideas you propose will be carried in its name. /team shows the team.
team-refused = Noted: you won't act for { $actor }.
team-no-invitation = You have no invitation to act for A{ $id }.
team-remove-not-yours = Only the actor's account and the person who invited someone can remove them from the team (anyone can remove themselves).
team-since = since { $date }
team-pending = invited, not accepted yet
team-removed-you = You no longer act for { $actor }.

# Needs and offers (issue 19)
need-kind-volunteers = Volunteers
need-kind-material = Material
need-kind-skill = Skill
need-kind-place = Place
need-kind-funding = Funding
need-filled = filled
need-closed = closed
usage-need = Usage: /need NUMBER KIND [QUANTITY] [| detail] [| until YYYY-MM-DD], kinds volunteers, material, skill, place, funding — for example /need 42 volunteers 5 | Saturday 12 April, 9am-12pm | until 2027-04-12. To close a need: /need B5 close.
usage-contribute = Usage: /contribute B5 [message] for a need, or /contribute NUMBER [message] to help a project. /needs shows the needs around you.
need-added = Need added to #{ $id }: { $line }. People nearby with that skill will be told.
need-too-many = This project already has { $max } open needs: close one (/need B5 close) before adding another.
need-not-open = Need B{ $id } is no longer open.
need-closed-done = Need closed: { $line }
unknown-need = I don't know any need B{ $id }.
needs-none = No open need within { $radius }. Widen the radius, for example /needs 20km.
needs-found = { $n ->
    [one] 1 open need
   *[other] { $n } open needs
} within { $radius }:
action-can-help = I can help
offer-own-project = You organise #{ $id }: its needs are yours.
offer-already = You already offered your help (O{ $offer }); the organisers will answer.
offer-too-many = You already have { $max } offers waiting for an answer: wait until they answer.
offer-general = help with the project
offer-received = { $who } offers to help #{ $id } "{ $title }": { $what } (offer O{ $offer }).
offer-sent = Thank you! Your offer O{ $offer } went to the organisers of #{ $id } "{ $title }": they will answer you here.
unknown-offer = I don't know any offer O{ $id }.
offer-answered = Offer O{ $id } was already answered.
offer-accepted-you = Good news: your help (O{ $offer }) is accepted by #{ $id } "{ $title }". You are now part of the project.
offer-declined-you = The organisers of #{ $id } "{ $title }" declined your offer O{ $offer }: thank you all the same! /needs shows other projects that need help.
help-offer-accepted = Offer O{ $offer } accepted: the person is now part of the project.
help-offer-declined = Offer O{ $offer } declined; the person is told.
card-needs = Needs:
    { $list }
card-partners = With the support of { $names }
alert-need = A need matches your skills: { $line } — /contribute B{ $need }
action-unfollow = Unfollow
actor-followed = You follow { $name }: its new initiatives, their news and events will come in your feed and alerts. /leave to stop.
actor-already-followed = You already follow { $name }.
actor-unfollowed = You no longer follow { $name }.
actor-not-followed = You weren't following { $name }.
actor-follows-too-many = You already follow { $max } actors: stop following one first.
digest-news-need = Need: { $line }
offer-already-accepted = Your help for this need is already accepted (O{ $offer }): thank you!
offer-own = You can't accept your own offer, nor that of the actor you act for: another organiser will.
offer-need-closed-you = Need B{ $need } of #{ $id } "{ $title }" is now filled or closed: your offer O{ $offer } is no longer needed. Thank you! /needs shows other needs around you.
actor-needs = Its needs:
    { $list }
actor-open-needs = { $n ->
    [one] 1 need
   *[other] { $n } needs
}
need-until = until { $date }
need-until-bad = I don't understand that date.
need-until-past = That date is already past: a need is for today or later.
need-until-far = A need can be stated at most two years ahead (until { $max }).

# Town hall answers (issue 20)
usage-answer = Usage: /answer NUMBER accepted|studying|declined TEXT — for example /answer 42 studying The council will look at it in March.
answer-not-municipality = Only a verified town hall (or its team) answers the initiatives of its communes.
answer-not-your-commune = #{ $id } is not in your communes ({ $communes }): only its own town hall answers it.
answer-saved = Answer published on #{ $id } "{ $title }": { $n ->
    [0] nobody follows it yet.
    [one] 1 person will be told.
   *[other] { $n } people will be told.
}
answer-updated = Answer updated on #{ $id } "{ $title }": { $n ->
    [0] nobody follows it yet.
    [one] 1 person will be told.
   *[other] { $n } people will be told.
}
answer-status-accepted = accepted
answer-status-studying = under study
answer-status-declined = declined
answer-by-unknown = the town hall
answer-line = Answer from { $by }, { $date }: { $status } — { $text }
digest-news-answer = The town hall's answer: { $status } — { $text }
usage-threshold = Usage: /digest threshold N (ideas of your communes that reach N supporters are flagged to you, once), /digest threshold off to stop.
digest-threshold-set = Ideas of your communes that reach { $n ->
    [one] 1 supporter
   *[other] { $n } supporters
} will be flagged to you here, once each, and your digest will say they await your answer.
digest-threshold-off = No idea will be flagged to you by its number of supporters any more.
threshold-reached = #{ $id } "{ $title }" reached { $n ->
    [one] 1 supporter
   *[other] { $n } supporters
}. Its supporters are waiting for your answer: /answer { $id } accepted|studying|declined TEXT.
digest-news-threshold = Reached { $n ->
    [one] 1 supporter
   *[other] { $n } supporters
}: it awaits the town hall's answer
answer-by-other = Another town hall already answered #{ $id }: each keeps its own answer.

# Consultations (issue 20)
usage-consultation = Usage: /consult QUESTION | OPTION | OPTION… [| several] | until YYYY-MM-DD [now] — for example /consult Should Rue Pasteur be car-free on Sundays? | Yes | No | until 2027-01-15. /consult alone lists yours, /consult C3 close ends one.
usage-vote = Usage: /vote C3 NUMBER (or /vote C3 1,3 where several options are allowed; /vote C3 withdraw takes your vote back).
usage-results = Usage: /results C3
consultation-title = 🗳 Consultation { $id } · { $from }
consultation-how-one = One choice · until { $until } included.
consultation-how-several = Several choices allowed · until { $until } included.
consultation-your-vote = Your vote: { $choices }. You can change it until the end.
consultation-vote-hint = Answer with the buttons, or /vote { $id } NUMBER.
consultation-secret = Secret ballot: the town hall sees only the totals, and at the end Kohero forgets who chose what.
action-results = 📊 Results
action-withdraw-vote = Withdraw my vote
action-subscribe-commune = Subscribe to { $commune }
consultation-result-line = { $option }: { $count } ({ $percent }%)
consultation-closed-on = closed on { $date }
consultation-open-until = open until { $until } included
consultation-results-title = 📊 Results of consultation { $id } · { $from }
consultation-voters = { $n ->
    [0] No voters
    [one] 1 voter
   *[other] { $n } voters
} ({ $state }).
consultation-indicative = Indicative results: a person with several accounts can vote several times.
digest-consultation-results = Results of consultation { $id } “{ $question }” ({ $n ->
    [0] no voters
    [one] 1 voter
   *[other] { $n } voters
}):
consultation-unknown = There is no consultation { $id }.
consultation-not-municipality = Only a verified town hall (or its team) consults the people of its communes.
consultation-options-count = A consultation offers { $min } to { $max } options; this one has { $n }. Separate them with “|”.
consultation-option-twice = The option “{ $option }” is offered twice.
consultation-end-past = That date has passed: a consultation ends today at the earliest.
consultation-end-far = A consultation lasts at most two years (until { $max }).
consultation-too-many = You already have { $max } consultations open: wait for one to end, or end one (/consult C3 close).
consultation-created = Consultation { $id } created, until { $until } included.
consultation-sent = It goes now to { $n ->
    [0] your readers (nobody subscribes to your communes yet).
    [one] 1 reader.
   *[other] { $n } readers.
}
consultation-with-digest = It goes with your next digest ({ $next }).
consultation-no-digest = No digest is scheduled before its end.
consultation-over = This consultation is over: the results are coming.
consultation-closed = Consultation { $id } is over: votes are no longer taken.
consultation-town-votes = A town hall does not vote in its own consultations.
consultation-not-reader = Consultation { $id } is for the readers of { $communes }: subscribe to answer it.
consultation-no-option = There is no option { $n }: options go from 1 to { $max }.
consultation-only-one = This consultation takes one choice only.
consultation-voted = Vote recorded: { $choices }.
consultation-withdrawn = Your vote is withdrawn.
consultation-none = You have not consulted anyone yet. /consult QUESTION | OPTION | OPTION | until YYYY-MM-DD
consultation-list-title = Your consultations
consultation-state-closed = closed · { $n ->
    [0] no voters
    [one] 1 voter
   *[other] { $n } voters
}
consultation-state-waiting = waits for your next digest
consultation-state-open = open until { $until } included
consultation-too-many-week = You started { $max } consultations this week: each goes to all your readers, wait a few days.
consultation-not-yours = Consultation { $id } belongs to another town hall.

## The public web pages (issue 21)
web-home = Kohero: local initiatives for the transition. Pages are /i/NUMBER (an initiative) and /c/INSEE-CODE (a commune).
web-footer = Kohero — local initiatives for the ecological and social transition. No personal data is published here.
web-counts = { $supporters ->
    [one] 1 supporter
   *[other] { $supporters } supporters
} · { $members ->
    [one] 1 member
   *[other] { $members } members
}
web-carried-by = Carried by
web-join = Take part
web-join-telegram = Join on Telegram
web-join-matrix = Join on Matrix
web-join-matrix-hint = On Matrix, write to the bot: !rejoindre { $id }
web-see-map = See on the map
web-see-osm = See the commune on OpenStreetMap
web-answer = The town hall's answer
web-answer-by = Answer from { $name }
web-needs = Needs
web-events = Upcoming events
web-no-events = No event planned.
web-event-when = { $when } ({ $tz }), { $duration }
web-subscribe-calendar = Subscribe to the calendar (iCalendar)
web-updates = Latest news
web-report = Report content
web-report-title = Report content
web-report-about = You are reporting { $target } to the moderators. Without an account, your report alerts them but hides nothing by itself.
web-report-reason = Why?
web-report-text = Tell more if needed (optional, at most 500 characters)
web-report-submit = Send the report
web-report-back = Back to the page
web-report-unknown = There is nothing to report here: this content is not (or no longer) on this page.
web-report-limited = Too many reports from this address: try again later.
web-report-bad = This form is incomplete: choose a reason.
web-report-foreign = This form must be sent from this page.
web-commune-intro = { $count ->
    [0] No initiative under way
    [one] 1 initiative under way
   *[other] { $count } initiatives under way
} · département { $department }
web-commune-summary = Local initiatives in { $name }: { $count ->
    [0] none yet, propose the first!
    [one] 1 initiative.
   *[other] { $count } initiatives.
}
web-commune-empty = No initiative here yet: propose the first from Telegram or Matrix.
web-group-ideas = Ideas
web-group-projects = Projects under way
web-group-more = … and { $n } more: all are in the open data below.
web-group-done = Finished projects
web-digests = From the town hall
web-digest-title = { $from }, { $date }
web-digest-about = In this letter:
web-digest-more = { $n ->
    [one] … and one more initiative.
   *[other] … and { $n } more initiatives.
}
web-news = Latest news
web-no-news = Nothing new yet.
web-news-created = new idea
web-news-launched = launched as a project
web-news-updated = news
web-news-event = new event: { $title }
web-news-done = project finished
web-data = Open data
web-feed = News feed (Atom)
web-feed-title = Kohero — { $name }
web-geojson = Initiatives as GeoJSON
web-map-label = Map of the commune's initiatives
web-map-attribution = Map: © OpenStreetMap contributors.
web-visitor = Website visitor
