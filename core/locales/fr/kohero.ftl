## Kohero — messages en français (langue par défaut)

internal-error = Désolé, quelque chose s'est mal passé de notre côté. Rien n'a été enregistré ; réessayez dans un instant.
slow-down = Doucement 🙂 : vous envoyez beaucoup de messages à la fois. Kohero vous répondra de nouveau dans quelques secondes ; les messages envoyés d'ici là sont ignorés.
too-many-ideas = Vous avez déjà { $n } idées ouvertes : lancez-en ou abandonnez-en (/abandonner) avant d'en proposer une autre (/mesdonnees les liste).
too-many-subscriptions = Vous avez déjà { $n } abonnements : retirez-en avant d'en ajouter (/desabonner).
already-subscribed = Vous êtes déjà abonné·e à { $what }.
alerts-more = … et { $n ->
    [one] une autre initiative
   *[other] { $n } autres initiatives
}.
update-failed = Désolé, votre message n'a pas pu être traité : l'erreur a été enregistrée et l'équipe la verra. Rien n'a été modifié ; vous pouvez réessayer ou écrire autre chose.
someone = Participant·e
not-a-command = Je n'ai pas compris. Envoyez une commande (par exemple /pres ou /proposer) ou /aide pour la liste.
unknown-command = La commande /{ $command } n'existe pas. Tapez /aide pour la liste des commandes.
button-invalid = Ce bouton n'est plus valable. Tapez /aide pour reprendre.
dialogue-in-progress = Vous êtes au milieu d'une démarche : répondez à la question, ou tapez /annuler pour l'abandonner.
nothing-to-cancel = Il n'y a rien à annuler.
cancelled = C'est annulé ; rien n'a été enregistré.
page-empty = Cette page n'existe pas : il n'y a pas autant de résultats.

text-empty = { $field ->
    [title] Le titre
    [description] La description
    [update] La nouvelle
    [name] Le nom
    [announcement] L'annonce
    [contact] Le contact
    [skills] La liste des compétences
    [detail] Le détail
    [message] Le message
    [answer] La réponse
    [question] La question
    [option] Un choix
   *[other] Le texte
} ne peut pas être vide.
text-too-long = { $field ->
    [title] Le titre
    [description] La description
    [update] La nouvelle
    [name] Le nom
    [announcement] L'annonce
    [contact] Le contact
    [skills] Une compétence
    [detail] Le détail
    [message] Le message
    [answer] La réponse
    [question] La question
    [option] Un choix
   *[other] Le texte
} fait { $len } caractères ; le maximum est { $max }. Raccourcissez-le et renvoyez-le.

location-syntax = Je ne reconnais pas ce lieu. Partagez votre position, ou écrivez-le ainsi : geo:45.7660,4.8795
location-range = Ces coordonnées sont hors limites : la latitude va de -90 à 90 et la longitude de -180 à 180.
radius-too-large = Le rayon maximum est de 100 km.
radius-bad = Je ne comprends pas le rayon « { $radius } ». Écrivez par exemple 500m ou 3km.
place-unknown = Je ne trouve pas de commune « { $place } ». Vérifiez l'orthographe, essayez le code postal, ou partagez votre position.
place-no-centre = Je connais { $commune }, mais pas encore son emplacement : partagez votre position (ou un point geo:LAT,LON) pour chercher autour.
place-choose = Plusieurs communes s'appellent « { $place } » ({ $n }) : laquelle ?
need-location = Où chercher ? Partagez votre position, ou écrivez un lieu : /pres geo:45.7660,4.8795 3km
category-unknown = Je ne connais pas la catégorie « { $category } ». Catégories : nettoyage, compost, alimentation, réparation, anti-gaspillage, mobilité, nature, énergie, solidarité, culture, autre.

unknown-initiative = Il n'y a pas d'initiative #{ $id }.
initiative-hidden = L'initiative #{ $id } a été masquée par l'équipe de modération.
card-hidden = Masquée par l'équipe de modération : elle n'apparaît plus nulle part.
unknown-event = Il n'y a pas d'événement E{ $event }.
not-organiser = Seuls les organisateurs de #{ $id } peuvent faire cela.
initiative-closed = L'initiative #{ $id } n'est plus ouverte à cela.
already-role = Vous êtes déjà { $role } de #{ $id }.
not-member = Vous ne faites pas partie de #{ $id }.

usage-show = Utilisation : /voir NUMÉRO, par exemple /voir 42
usage-edit = Utilisation : /modifier NUMÉRO CHAMP VALEUR. Champs : titre, description, categorie, lieu. Par exemple : /modifier 42 titre Nouveau titre
usage-support = Utilisation : /soutenir NUMÉRO
usage-launch = Utilisation : /lancer NUMÉRO
usage-join = Utilisation : /rejoindre NUMÉRO
usage-follow = Utilisation : /suivre NUMÉRO
usage-leave = Utilisation : /quitter NUMÉRO
usage-members = Utilisation : /membres NUMÉRO
usage-update = Utilisation : /maj NUMÉRO TEXTE, par exemple /maj 42 Le bac est installé !
usage-event = Utilisation : /evenement NUMÉRO TITRE | DATE HEURE [FUSEAU] | LIEU (facultatif) | DURÉE (2h par défaut). Par exemple : /evenement 42 Atelier | 2026-12-05 14:00 | geo:45.77,4.88 | 3h. Pour changer ou annuler : /evenement E7 TITRE | DATE | LIEU [| DURÉE], /evenement E7 annuler
usage-rsvp = Utilisation : /participer ÉVÉNEMENT oui|non|peutetre, par exemple /participer E7 oui
usage-search = Utilisation : /chercher TEXTE, par exemple /chercher café réparation
usage-language = Utilisation : /langue fr ou /langue en
usage-coorganise = Utilisation : /coorganiser NUMÉRO NOM (une personne qui fait déjà partie de l'initiative)
usage-accept = Utilisation : /accepter NUMÉRO
usage-decline = Utilisation : /decliner NUMÉRO
usage-drop = Utilisation : /abandonner NUMÉRO (une idée)
usage-done = Utilisation : /terminer NUMÉRO (un projet)
usage-archive = Utilisation : /archiver NUMÉRO (un projet)
usage-propose = Utilisation : /proposer, ou en une ligne : /proposer TITRE | CATÉGORIE | LIEU | DESCRIPTION
usage-profile = Utilisation : /profil, /profil nom NOUVEAU NOM, /profil competences jardinage, bricolage [5km] (ce que vous pouvez apporter), ou /profil reseau telegram|matrix|auto (où arrivent vos notifications). Pour un acteur vérifié : /profil description|lieu|site|contact|categories VALEUR (« - » efface).
usage-subscribe = Utilisation : /abonner LIEU [RAYON] [CATÉGORIES], par exemple /abonner geo:45.77,4.88 3km compost,nature — ou partagez d'abord votre position puis tapez /abonner.

cat-cleanup = Nettoyage
cat-compost = Compost
cat-food = Alimentation
cat-repair = Réparation
cat-antiwaste = Anti-gaspillage
cat-mobility = Mobilité
cat-nature = Nature
cat-energy = Énergie
cat-solidarity = Solidarité
cat-culture = Culture
cat-other = Autre

status-idea-open = idée ouverte
status-idea-launched = idée lancée
status-idea-dropped = idée abandonnée
status-idea-active = idée
status-idea-done = idée
status-idea-archived = idée archivée
status-project-open = projet
status-project-launched = projet
status-project-dropped = projet abandonné
status-project-active = projet en cours
status-project-done = projet terminé
status-project-archived = projet archivé

role-organiser = organisateur·rice
role-member = membre
role-supporter = soutien
role-follower = abonné·e

kind-citizen = Citoyen·ne
kind-association = Association
kind-municipality = Mairie
kind-company = Entreprise

count-supporters = { $n ->
    [0] aucun soutien
    [one] 1 soutien
   *[other] { $n } soutiens
}
count-members = { $n ->
    [one] 1 membre
   *[other] { $n } membres
}

action-share-location = 📍 Partager ma position
action-enter-room = Entrer dans le groupe du projet
action-add-to-group = Créer le groupe du projet
action-show = Voir
action-support = Soutenir
action-join = Rejoindre
action-follow = Suivre
action-launch = Lancer le projet
action-no-place = Pas de lieu
action-no-description = Pas de description
action-forget-confirm = Oui, tout effacer
action-cancel = Annuler
action-accept = Accepter
action-decline = Décliner
action-members = Membres
action-leave = Quitter
action-event = Ajouter un événement
action-rsvp-yes = J'y serai
action-rsvp-maybe = Peut-être
action-rsvp-no = Non
action-propose = Proposer une idée
action-next-page = Page suivante
action-unsubscribe = Se désabonner
action-my-data = Mes données
action-forget = M'oublier

propose-ask-title = Proposons une initiative ! Quel est son titre ? (120 caractères au plus ; /annuler pour abandonner)
propose-ask-category = Dans quelle catégorie ?
propose-ask-place = Où ? Partagez un lieu (ou écrivez geo:LAT,LON), ou répondez « - » s'il n'y a pas de lieu.
propose-ask-description = Décrivez l'idée en quelques phrases (4 000 caractères au plus), ou répondez « - ».
propose-title-first = Il me faut d'abord un titre, en texte.
propose-category-first = Il me faut d'abord une catégorie.
propose-description-expected = J'attends maintenant la description, en texte (ou « - »).
similar-before = Des initiatives semblables existent déjà tout près : les rejoindre ou les soutenir réunit plus de monde. Sinon, « Proposer quand même » (ou envoyez la description).
similar-waiting = Rejoignez ou soutenez l'une des initiatives semblables, ou « Proposer quand même » pour continuer la vôtre.
similar-after = Des initiatives semblables existent tout près : les rejoindre ou les soutenir réunit plus de monde ; vous pouvez retirer la vôtre.
action-propose-anyway = Proposer quand même
action-withdraw-mine = Retirer la mienne
propose-created = Votre idée #{ $id } « { $title } » est publiée. Partagez-la pour réunir des soutiens, puis lancez-la en projet.

card-place = Lieu : { $place }
card-place-commune = Lieu : { $commune } · { $place }
card-no-organiser = personne pour l'instant
card-organisers = Organisation : { $names }
card-page = 🔗 Page à partager : { $url }
card-counts = { $supporters } soutien(s) · { $members } membre(s) · { $followers } abonné·e(s)
card-your-role = Vous êtes { $role }.
card-updates = Dernières nouvelles :
card-events = Événements à venir :
card-offer = Les organisateurs sont partis : voulez-vous organiser #{ $id } ?

edited = #{ $id } est modifiée.
support-project = #{ $id } est déjà un projet : rejoignez-le (/rejoindre { $id }) ou suivez-le (/suivre { $id }).
supported = Merci ! Vous soutenez #{ $id } « { $title } » ({ $n } soutien(s)).
launch-not-open = Seule une idée ouverte peut être lancée ; #{ $id } ne l'est pas.
launched = #{ $id } « { $title } » est lancée en projet ! { $n } soutien(s) la suivent désormais.
join-idea = #{ $id } est encore une idée : soutenez-la (/soutenir { $id }) ; vous pourrez la rejoindre quand elle sera lancée.
joined = Bienvenue dans #{ $id } « { $title } » !
followed = Vous suivez #{ $id } « { $title } » : ses nouvelles apparaîtront dans /fil.
left = Vous avez quitté #{ $id } « { $title } ».
members-count = { $n } personne(s) :
members-private = Et { $members } membre(s), { $supporters } soutien(s) : seuls les organisateurs et les membres du projet voient leurs noms.
offer-notice = Plus personne n'organise #{ $id } « { $title } ». Vous en faites partie depuis le plus longtemps : voulez-vous l'organiser ?
offer-accepted = Vous organisez maintenant #{ $id } « { $title } ».
offer-declined = C'est noté : vous n'organiserez pas #{ $id }.
no-offer = Aucun rôle ne vous est proposé pour #{ $id }.
coorganise-unknown = Personne de ce nom ne fait partie de #{ $id } : « { $name } ». Elle doit d'abord soutenir, suivre ou rejoindre l'initiative.
coorganise-ambiguous = Plusieurs personnes s'appellent « { $name } » : utilisez son identité (par exemple telegram:12345).
coorganise-already = { $name } organise déjà cette initiative.
coorganise-notice = { $by } vous a nommé·e co-organisateur·rice de #{ $id } « { $title } ».
coorganised = { $name } co-organise maintenant #{ $id }.
status-not-allowed = Ce changement n'est pas possible pour #{ $id } ({ $status }).
status-changed = #{ $id } : { $status }.

project-not-active = #{ $id } n'est pas un projet en cours.
update-posted = Nouvelle publiée pour #{ $id } « { $title } ».
event-when-syntax = Je ne comprends pas la date. Écrivez par exemple 2026-12-05 14:00 ou 05/12/2026 14h00 (fuseau facultatif : Europe/Paris).
event-when-gap = Cette heure n'existe pas ce jour-là (changement d'heure). Choisissez une autre heure.
event-in-past = Cet événement est déjà passé.
event-too-far = Un événement se prévoit au plus deux ans à l'avance (jusqu'au { $max }).
event-created = Événement E{ $event } « { $title } » le { $when } ({ $tz }), pour #{ $id } « { $project } ».
event-duration = Je ne comprends pas la durée. Écrivez par exemple 3h, 1h30 ou 45min (au plus 7 jours).
event-cancelled = L'événement E{ $event } est annulé.
event-unchanged = Rien ne change pour E{ $event } : c'est déjà ainsi.
event-cancelled-mirror = ❌ Événement E{ $event } annulé (#{ $id } « { $title } »).
event-changed-mirror = ✏️ Événement E{ $event } modifié (#{ $id } « { $title } ») :
event-cancel-done = Événement E{ $event } « { $title } » annulé. { $told ->
    [0] Personne n'avait répondu.
    [one] La personne qui avait répondu est prévenue.
   *[other] Les { $told } personnes qui avaient répondu sont prévenues.
}
event-change-done = Événement E{ $event } « { $title } » modifié. { $told ->
    [0] Personne n'avait répondu.
    [one] La personne qui avait répondu est prévenue.
   *[other] Les { $told } personnes qui avaient répondu sont prévenues.
}
event-cancelled-notice = ❌ Annulé : E{ $event } « { $title } » du { $when } ({ $tz }), pour #{ $id } « { $project } ».
event-changed-notice = ✏️ Changement pour l'événement E{ $event } auquel vous avez répondu (#{ $id } « { $project } ») :
event-was = au lieu du { $when }
event-lasts = durée : { $duration }
rsvp-counts = Oui : { $yes } · Peut-être : { $maybe } · Non : { $no }
rsvp-yours = Votre réponse : { $answer }
rsvp-yes = oui
rsvp-no = non
rsvp-maybe = peut-être
rsvp-recorded = Réponse « { $answer } » enregistrée pour « { $title } ».

near-none = Rien dans un rayon de { $radius } pour l'instant. Et si vous proposiez la première idée ?
near-none-commune = Rien dans un rayon de { $radius } autour de { $commune } pour l'instant. Et si vous proposiez la première idée ?
near-found = { $n } initiative(s) dans un rayon de { $radius } :
near-found-commune = { $n } initiative(s) dans un rayon de { $radius } autour de { $commune } :
search-none = Aucune initiative ne correspond à « { $text } ».
search-found = { $n } initiative(s) pour « { $text } » :
feed-nothing-followed = Vous ne suivez encore rien. Suivez une initiative (/suivre), ou partagez votre position pour voir l'actualité autour de vous.
feed-empty = Rien de nouveau pour l'instant.
feed-around = Actualité dans un rayon de { $radius }
feed-followed = Actualité de ce que vous suivez
feed-created = nouvelle idée
feed-launched = lancée en projet
feed-done = projet terminé
feed-updated = nouvelles : { $text }
feed-event = événement E{ $event } « { $title } » le { $when }
feed-event-gone = événement
all-categories = toutes catégories
subscription-line = { $radius } autour de { $place } ({ $categories })
subscriptions-current = Vos abonnements :
subscribed = Abonnement enregistré : { $what }.
unsubscribe-none = Vous n'avez aucun abonnement.
unsubscribed = { $n } abonnement(s) supprimé(s).

help-title = Kohero : agir ensemble, près de chez vous
help-body =
    Découvrir
      /pres [lieu] [rayon] [catégorie] [idees|projets] — les initiatives autour (ou partagez votre position)
      /chercher TEXTE — chercher par mots
      /fil — l'actualité de ce que vous suivez
      /abonner [lieu] [rayon] [catégories] · /desabonner
    Agir
      /proposer — proposer une idée
      /voir NUMÉRO · /soutenir · /suivre · /rejoindre · /quitter
      /participer ÉVÉNEMENT oui|non|peutetre
    Organiser
      /modifier · /lancer · /maj · /evenement · /membres · /coorganiser
      /abandonner · /terminer · /archiver · /relais
    Vous
      /profil · /langue · /alertes · /mesdonnees · /oublier · /annuler
      /lier_compte — un seul compte sur Telegram, Matrix et la console
    Besoins
      /besoins [lieu] [rayon] [type] — ce dont les projets autour ont besoin
      /contribuer B5 [message] — proposer votre aide (ou /contribuer NUMÉRO)
      /besoin NUMÉRO TYPE [QUANTITÉ] [| détail] · /besoin B5 fermer — pour les organisateurs
    Acteurs
      /acteurs [lieu] [rayon] [associations|entreprises|mairies] — associations, entreprises et mairies autour
      /voir A12 — la fiche d'un acteur
    Consultations
      /voter C3 N — répondre à une consultation de votre mairie · /resultats C3
    Acteurs vérifiés
      /profil description|lieu|site|contact|categories · /equipe
    Mairies vérifiées
      /digest · /annonce · /reponse NUMÉRO retenue|etude|non-retenue TEXTE
      /consultation QUESTION | CHOIX | CHOIX… [| plusieurs] | jusqu'au AAAA-MM-JJ [maintenant]
    Modération
      /signaler NUMÉRO — signaler un abus · /contester NUMÉRO — demander un réexamen
      /moderation — pour l'équipe de modération
welcome-title = Bonjour { $name } !
welcome-body = Kohero vous aide à lancer et faire vivre des initiatives locales : nettoyages, composteurs, AMAP, repair cafés… Partagez votre position pour voir ce qui se passe autour de vous.
welcome-privacy = Kohero garde votre nom, votre langue, et ce que vous faites ici ; votre position est arrondie à 100 m et n'est montrée à personne. /mesdonnees montre tout, /oublier efface tout.

profile-verified = vérifié ({ $communes })
profile-not-verified = non vérifié
profile-details = Langue : { $lang } · Identités : { $identities } · Abonnements : { $subscriptions } · Position : { $location }
profile-location-known = connue (arrondie, jamais montrée)
profile-location-unknown = inconnue
profile-initiatives = Vos initiatives :
language-current = Langue actuelle : { $lang }.
language-set = C'est noté : je vous parlerai en français.
my-data-intro = Voici tout ce que Kohero garde sur vous :
forget-ask = Effacer toutes vos données ? Vos soutiens, abonnements, réponses et identités seront supprimés ; les initiatives que vous avez proposées resteront, sans votre nom. Répondez « oui » pour confirmer.
forgotten = Vos données sont effacées. Au revoir, et merci !

usage-link = Utilisation, dans le groupe du projet : /lier NUMÉRO
room-linked = Ce groupe est maintenant celui de #{ $id } « { $title } » : ses nouvelles et ses événements y seront publiés. Ici : /maj, /evenement, /membres, /projet.
room-linked-relay = Ce qui s'écrit ici est relayé dans les autres salons du projet (Telegram, Matrix), et inversement : /relais non pour l'arrêter. Sur Telegram, Kohero ne lit les messages du groupe qu'en administrateur : nommez-le administrateur du groupe.
room-is-forum = Ce forum est celui d'une commune : chaque projet y a son sujet, créé par Kohero au lancement. /lier s'utilise dans le groupe propre au projet.
room-taken = Ce groupe est déjà celui de #{ $id } : seul·e un·e organisateur·rice de #{ $id } peut le lier à un autre projet.
forum-is-project-room = Ce groupe est celui d'un projet : un forum de commune doit être un groupe à part.
forum-taken = Ce forum est déjà celui de la commune { $commune } : seule sa mairie peut le lier ailleurs.
chat-not-admin = Seuls le ou la propriétaire et les administrateur·rices de ce groupe peuvent le lier à un projet ou à une commune.
chat-anonymous-admin = Vous écrivez au nom du groupe (administrateur anonyme) : Kohero ne peut pas vérifier qui vous êtes. Désactivez « Rester anonyme » dans vos droits d'administrateur (ou demandez à un·e autre administrateur·rice), puis recommencez.
chat-rights-unknown = Impossible de vérifier vos droits dans ce groupe pour l'instant : réessayez dans un moment.
room-made-by-kohero = Ce salon a été créé par Kohero pour un projet ou une commune : il ne peut pas être lié à autre chose.
room-commands = Dans un groupe, Kohero répond à /lier, /maj, /evenement, /membres, /projet et aux réponses aux événements (/participer) ; le reste se fait en message privé avec le bot.
link-in-group = /lier s'utilise dans le groupe du projet, après y avoir ajouté le bot.
update-mirror = 📝 #{ $id } « { $title } » — { $author } : { $text }
event-mirror = 📅 Nouvel événement pour #{ $id } « { $title } » :
forum-not-municipality = Seule une mairie vérifiée peut lier un forum à sa commune.
forum-not-yours = La commune { $commune } n'est pas l'une des vôtres.
forum-which-commune = Vous représentez plusieurs communes : précisez laquelle, par exemple /lier_commune 69266.
forum-linked = Ce forum est maintenant celui de { $commune } : chaque projet lancé dans la commune y aura son sujet.

space-name = Kohero · { $commune }
room-name-done = { $label } (terminé)
room-topic-done = Projet terminé. { $topic }
room-name-archived = { $label } (archivé)
room-topic-archived = Projet archivé. { $topic }

# Digests and announcements
digest-not-municipality = Seule une mairie vérifiée peut envoyer la lettre de ses communes. Une mairie demande sa vérification à l'équipe Kohero.
usage-digest = Programmer : /digest MINUTE HEURE JOUR MOIS JOUR-DE-SEMAINE [FUSEAU], par exemple /digest 0 9 * * lun (chaque lundi à 9 h). /digest maintenant l'envoie tout de suite, /digest non arrête la programmation. /annonce TEXTE ajoute une annonce à la prochaine lettre, /annonce maintenant TEXTE l'envoie seule.
digest-scheduled = Votre lettre part selon « { $schedule } » ({ $tz }). Prochain envoi : { $next }.
digest-unscheduled = Votre lettre n'est pas programmée.
digest-announcement-waiting = Annonce prévue pour la prochaine lettre : « { $text } »
digest-stopped = La lettre n'est plus programmée. /digest maintenant l'envoie quand vous voulez.
digest-bad-schedule = Je ne comprends pas la programmation « { $schedule } » ({ $error }). Il faut cinq champs : minute heure jour mois jour-de-semaine, par exemple 0 9 * * lun.
digest-never = La programmation « { $schedule } » ne tombe jamais. Essayez par exemple 0 9 * * lun.
digest-on-page = Elle est aussi sur la page publique de la commune : { $url }
digest-empty = Rien de nouveau depuis la dernière lettre : rien n'a été envoyé.
digest-queued = Lettre en route : { $n } message(s).
announcement-saved = Annonce enregistrée : elle partira en tête de la prochaine lettre.
announcement-sent = Annonce en route : { $n } message(s).
usage-announce = Utilisation : /annonce TEXTE (avec la prochaine lettre) ou /annonce maintenant TEXTE (tout de suite, seule).
announcement-room-name = Annonces · { $commune }
announcement-room-topic = La lettre et les annonces de la mairie de { $commune }, par Kohero.
digest-title = La lettre de { $from } — { $communes }
digest-period = Du { $from } au { $to } :
digest-announcement-only = Une annonce :
digest-announcement = 📣 { $text }
digest-more = … et { $n } autre(s) initiative(s) : /fil pour tout voir.
digest-news-proposed = Nouvelle idée
digest-news-launched = Projet lancé
digest-news-done = Projet terminé
digest-news-update = Nouvelles : { $text }
digest-news-event = 📅 { $title } — { $when }
digest-action-rsvp = J'y serai : { $title }

# Alerts and reminders
usage-alerts = /alertes on · /alertes off · /alertes calme 22h-8h (pas d'alertes la nuit) · /alertes calme non
alerts-off = Vos alertes sont coupées.
alerts-on = Vos alertes sont actives, une fois par heure au plus, jamais entre { $from } et { $to } ({ $tz }).
alerts-on-no-quiet = Vos alertes sont actives, une fois par heure au plus, à toute heure.
alerts-title = Du nouveau pour { $n } initiative(s) :
alerts-footer = /alertes pour régler ces messages.
alert-new-initiative = Nouvelle initiative près de chez vous
alert-update = Nouvelles : { $text }
alert-event = 📅 { $title } — { $when } (/participer { $event } oui)
alert-new-member = { $name } a rejoint le projet
reminder-24h = ⏰ Demain : { $title } (#{ $id } « { $project } »), { $when } ({ $tz }).
reminder-1h = ⏰ Dans une heure : { $title } (#{ $id } « { $project } »), { $when } ({ $tz }).

## Moderation
usage-report = /signaler NUMÉRO [raison] [précisions] — signaler une initiative (#42), une nouvelle (U15), un événement (E7) ou un acteur vérifié (A12). Raisons : spam, offensant, hors-sujet, donnees-personnelles, autre.
usage-appeal = /contester NUMÉRO — demander un réexamen de ce que vous avez publié et qui a été masqué (#42, U15, E7).
usage-moderation = /moderation — les signalements en attente · /moderation masquer|garder|avertir ÉLÉMENT [raison] · /moderation bannir ÉLÉMENT [jours|toujours] [raison] · /moderation debannir ÉLÉMENT · /moderation retirer ÉLÉMENT (son auteur quitte ce projet) · /moderation journal
action-report = Signaler
reason-spam = Spam
reason-offensive = Offensant
reason-off-topic = Hors sujet
reason-personal-data = Données personnelles
reason-other = Autre
reason-appeal = Demande de réexamen
report-unknown = Il n'y a rien à signaler sous { $target }.
report-own = { $target } est de vous : vous ne pouvez pas le signaler.
report-why = Pourquoi signaler { $target } ? Choisissez une raison (vous pouvez ajouter des précisions : /signaler { $target } spam …).
report-already = Vous avez déjà signalé { $target } : l'équipe de modération s'en occupe.
report-thanks = Merci : votre signalement est transmis à l'équipe de modération. Personne ne saura que c'est vous.
action-appeal = Contester
action-moderation = Voir les signalements
mod-no-reason = aucune raison donnée
mod-autohidden-notice = Votre publication { $target } a été signalée par plusieurs personnes : elle est masquée en attendant que l'équipe de modération l'examine. Vous pouvez demander un réexamen une fois : /contester { $target }
mod-hidden-notice = L'équipe de modération a masqué votre publication { $target }. Raison : { $reason }. Vous pouvez demander un réexamen une fois : /contester { $target }
mod-redact-reason = Masqué par l'équipe de modération de Kohero
mod-kept-notice = L'équipe de modération a examiné { $target } : elle reste visible.
mod-warn-default = elle ne respecte pas les règles de Kohero
mod-warn-notice = Avertissement de l'équipe de modération au sujet de { $target } : { $reason }.
mod-unbanned-notice = L'équipe de modération a levé votre suspension : vous pouvez de nouveau utiliser Kohero.
mod-alert-report = Nouveau signalement : { $target }.
mod-alert-autohidden = { $target } a été masqué après plusieurs signalements : il attend votre examen.
mod-alert-appeal = Demande de réexamen de son auteur : { $target }.
appeal-not-yours = Seul l'auteur de { $target } peut en demander le réexamen.
appeal-not-hidden = { $target } n'est pas masqué : il n'y a rien à contester.
appeal-once = Vous avez déjà demandé le réexamen de { $target } : on ne peut le demander qu'une fois.
appeal-sent = Votre demande de réexamen de { $target } est transmise à l'équipe de modération. Vous serez prévenu de sa décision.
not-moderator = Cette commande est réservée à l'équipe de modération.
not-moderator-here = { $target } n'est pas dans les communes que vous modérez.
mod-queue-empty = Aucun signalement en attente.
mod-queue-title = Signalements en attente : { $n }
mod-queue-since = signalé depuis le { $at }
mod-queue-hidden = masqué en attendant l'examen
action-mod-hide = Masquer
action-mod-keep = Garder
action-mod-warn = Avertir
action-mod-ban = Bannir 30 j
action-mod-log = Journal
mod-log-title = Journal de modération
mod-log-empty = Le journal de modération est vide.
mod-log-line = { $at } · { $action } { $target } · { $by } · { $reason }
mod-by-kohero = Kohero (ou l'exploitant)
mod-action-hide = masqué
mod-action-auto-hide = masqué sur signalements
mod-action-keep = gardé
mod-action-warn = averti
mod-action-ban = banni
mod-action-unban = débanni
mod-action-appeal = réexamen demandé
mod-actor-not-hidden = Un acteur ne se masque pas : avertissez-le, bannissez-le, ou demandez à l'exploitant de retirer sa vérification.
mod-no-author = Son auteur n'est plus connu de Kohero : masquez ou gardez l'élément.
mod-ban-instance-only = Seule la modération de toute l'instance peut bannir : masquez l'élément et signalez-le à l'exploitant.
mod-ban-self = Vous ne pouvez pas vous bannir vous-même.
mod-ban-moderator = On ne bannit pas un modérateur : l'exploitant peut lui retirer ce rôle (kohero admin moderator remove).
mod-not-banned = L'auteur de { $target } n'est pas banni.
mod-done-hide = { $target } est masqué ; son auteur est prévenu.
mod-done-keep = { $target } est gardé ; ses signalements sont clos.
mod-done-warn = L'auteur de { $target } est averti.
mod-done-ban = L'auteur de { $target } est banni ; ses idées ouvertes sont masquées.
mod-done-unban = L'auteur de { $target } n'est plus banni (ce qui a été masqué le reste : /moderation garder pour le rétablir).
mod-done-ban-identity = { $identity } est banni.
mod-done-unban-identity = { $identity } n'est plus banni.
mod-team = l'équipe de modération
banned = Votre compte est suspendu jusqu'au { $until } par l'équipe de modération. Raison : { $reason }. Vous pouvez encore consulter (/mesdonnees) ou effacer (/oublier) vos données.
banned-forever = Votre compte est suspendu définitivement par l'équipe de modération. Raison : { $reason }. Vous pouvez encore consulter (/mesdonnees) ou effacer (/oublier) vos données.
name-taken-verified = Ce nom est celui d'un acteur vérifié : choisissez-en un autre.
mod-action-remove = retiré du projet
mod-remove-needs-item = Retirer qui, d'où ? Donnez une initiative, une nouvelle ou un événement : son auteur est retiré de ce projet.
mod-not-member = L'auteur de { $target } ne fait pas partie de ce projet.
mod-removed-notice = L'équipe de modération vous a retiré du projet #{ $id }.
mod-done-remove = L'auteur de { $target } est retiré du projet.
mod-own = { $target } est de vous : un autre membre de l'équipe de modération s'en occupera.
mod-instance-only = Seule la modération de toute l'instance peut faire cela pour une personne bannie.
report-hidden = { $target } est déjà masqué : l'équipe de modération s'en occupe. Merci.
report-too-many = Vous avez déjà { $n } signalements en attente : l'équipe de modération les examine avant d'en recevoir d'autres de vous.

# One person across networks.
usage-relay = Utilisation : /relais NUMÉRO oui|non (dans le groupe du projet : /relais oui|non) ; sans oui ni non, où en est le relais.
relay-on = Relais activé pour #{ $id } : ce qui s'écrit dans un salon du projet est repris dans les autres, avec le nom et le réseau de l'auteur.
relay-off = Relais coupé pour #{ $id } : chaque salon du projet garde ses messages. Les nouvelles et les événements restent publiés partout.
relay-turned-on = { $name } a activé le relais : ce qui s'écrit ici est repris dans les autres salons du projet.
relay-turned-off = { $name } a coupé le relais : ce qui s'écrit ici reste ici.
relay-state-on = Le relais est activé pour #{ $id } (/relais non pour le couper).
relay-state-off = Le relais est coupé pour #{ $id } (/relais oui pour l'activer).
relay-needs-two = Le relais relie les salons de #{ $id } sur Telegram et Matrix : il s'active dès que le projet en a deux (un groupe Telegram lié par /lier et son salon Matrix).
usage-link-account = Utilisation : /lier_compte pour obtenir un code, puis /lier_compte CODE (six chiffres) depuis votre autre compte ; /delier_compte [telegram|matrix|console] pour séparer une identité.
link-code = Votre code : { $code } — valable { $minutes } minutes, une seule fois. Depuis votre autre compte (Telegram, Matrix ou la console), envoyez : /lier_compte { $code }. Je vous demanderai ici de confirmer. Ne donnez ce code à personne.
link-code-invalid = Ce code n'est pas (ou plus) valable. Demandez-en un nouveau avec /lier_compte sur votre autre compte.
link-too-many-tries = Trop de codes erronés : réessayez dans une heure.
link-busy = Trop d'essais de codes en ce moment sur Kohero : réessayez un peu plus tard.
link-already-one = Ces deux identités sont déjà un seul et même compte.
link-same-network = Ce code se saisit depuis un autre réseau que { $network }.
link-two-verified = Deux acteurs vérifiés ne peuvent pas être réunis en un seul compte.
link-network-taken = Les deux comptes ont déjà chacun une identité { $network } : un compte n'en garde qu'une par réseau. Séparez d'abord l'une d'elles avec /delier_compte { $network }.
link-confirm-ask = { $who } (« { $name } ») veut rejoindre votre compte Kohero. Si c'est bien vous, confirmez dans les { $minutes } minutes : vos soutiens, projets, abonnements et réglages ne feront plus qu'un. Sinon, refusez.
link-asked = Demande envoyée : confirmez-la depuis votre compte { $network } dans les { $minutes } minutes. Une fois confirmée, ce compte-ci et celui-là ne feront plus qu'un : ne tapez jamais un code que quelqu'un d'autre vous a donné.
link-nothing-to-confirm = Aucune demande de liaison en attente (ou elle a expiré).
link-done = C'est fait : { $identities } sont maintenant un seul compte Kohero. /mesdonnees montre tout ; /delier_compte sépare une identité.
link-refused = Votre demande de liaison a été refusée.
link-refused-done = Demande refusée : rien n'a été lié.
link-no-identity = Cette commande s'utilise depuis une messagerie.
unlink-only-one = Votre compte n'a qu'une identité : rien à séparer.
unlink-no-such = Votre compte n'a pas d'identité { $network }.
unlink-done-self = { $identity } est maintenant un compte à part, qui repart de zéro (ce qui avait été réuni reste à votre compte).
unlink-done = { $identity } ne fait plus partie de votre compte.
network-unknown = Pas d'identité { $network } dans votre compte (vous avez : { $networks }). Utilisation : /profil reseau telegram|matrix|auto
network-set = Vos notifications arriveront sur { $network }.
network-auto = Vos notifications arriveront sur le dernier réseau que vous avez utilisé.
action-confirm = Confirmer
action-refuse = Refuser
link-banned = Un compte suspendu ne peut pas être lié à un autre.
link-moderator = Un compte de l'équipe de modération ne se lie pas : demandez à l'opérateur de l'instance.
unlink-from-there = Pour séparer votre identité { $network }, envoyez /delier_compte depuis { $network } : une identité ne peut pas en renvoyer une autre.

# Acteurs vérifiés (issue 19)
card-carried-by = Porté par { $name } (A{ $id })
unknown-actor = Je ne connais pas d'acteur A{ $id }. Seuls les associations, entreprises et mairies vérifiées ont une fiche : /acteurs les montre autour de vous.
profile-not-actor = Ce champ est celui d'un acteur vérifié (association, entreprise, mairie), et vous n'agissez pour aucun. Votre profil à vous : /profil nom, /profil competences.
profile-bad-site = Je ne reconnais pas cette adresse de site : écrivez-la en entier, par exemple https://mon-asso.fr
profile-bad-category = Je ne connais pas la catégorie « { $word } ». Catégories : nettoyage, compost, alimentation, réparation, antigaspi, mobilité, nature, énergie, solidarité, culture, autre.
profile-too-many = C'est trop : { $max } au plus.
profile-actor-saved = C'est enregistré sur la fiche de { $name }.
skills-saved = C'est noté : vous pouvez apporter { $skills }, dans un rayon de { $radius }. Les besoins des projets proches qui vous correspondent vous seront signalés.
skills-cleared = Vos compétences sont effacées.
actor-categories = Thèmes : { $list }
actor-place = Où : { $commune }
actor-site = Site : { $site }
actor-contact = Contact : { $contact }
actor-initiatives = Ses initiatives :
actor-no-initiatives = Aucune initiative portée pour l'instant.
actor-open-initiatives = { $n ->
    [0] aucune initiative
    [one] 1 initiative
   *[other] { $n } initiatives
}
actors-none = Aucun acteur vérifié à moins de { $radius }. Élargissez le rayon, par exemple /acteurs 20km.
actors-found = { $n ->
    [one] 1 acteur vérifié
   *[other] { $n } acteurs vérifiés
} à moins de { $radius } :
team-not-actor = /equipe est pour les personnes qui agissent pour un acteur vérifié. Une association, une entreprise ou une mairie est vérifiée par l'équipe qui gère Kohero.
team-title = L'équipe de { $actor } ({ $n ->
    [0] personne d'autre que son compte
    [one] 1 personne
   *[other] { $n } personnes
})
team-account = Compte de l'acteur : { $name }
usage-team = Utilisation : /equipe ajouter RÉSEAU:IDENTIFIANT (par exemple telegram:12345 ou matrix:@alice:exemple.org : la personne doit avoir déjà écrit à Kohero, et accepter), /equipe retirer NUMÉRO (celui de la liste) ou RÉSEAU:IDENTIFIANT. Une personne invitée répond /equipe accepter A12 ou /equipe refuser A12.
team-bad-identity = « { $who } » n'est pas une identité : écrivez RÉSEAU:IDENTIFIANT, par exemple telegram:12345 ou matrix:@alice:exemple.org.
team-unknown-identity = { $who } n'a encore jamais écrit à Kohero : demandez-lui d'envoyer /start, puis recommencez.
team-already = { $who } agit déjà pour cet acteur.
team-verified = { $who } est le compte d'un acteur vérifié : il ne peut pas rejoindre l'équipe d'un autre.
team-elsewhere = { $who } agit déjà pour un autre acteur vérifié, ou y est invité·e ; une personne n'agit que pour un acteur à la fois.
team-full = L'équipe est complète ({ $max } personnes au plus) : retirez quelqu'un d'abord.
team-not-member = { $who } n'est pas dans l'équipe.
team-invited = { $who } est invité·e à agir pour { $actor } : la personne doit accepter.
team-removed = { $who } n'agit plus pour { $actor }.
team-invited-you = { $by } vous invite à agir pour { $actor } : modifier sa fiche (/profil description…), proposer des idées en son nom, gérer son équipe (/equipe). Acceptez-vous ?
team-accepted = { $who } agit maintenant pour { $actor }.
team-joined = C'est fait : vous agissez maintenant pour { $actor }. Les idées que vous proposerez seront portées en son nom. /equipe montre l'équipe.
team-refused = C'est noté : vous n'agirez pas pour { $actor }.
team-no-invitation = Vous n'avez pas d'invitation à agir pour A{ $id }.
team-remove-not-yours = Seuls le compte de l'acteur et la personne qui a invité quelqu'un peuvent le retirer de l'équipe (chacun peut se retirer lui-même).
team-since = depuis le { $date }
team-pending = invité·e, pas encore accepté
team-removed-you = Vous n'agissez plus pour { $actor }.

# Besoins et offres (issue 19)
need-kind-volunteers = Bénévoles
need-kind-material = Matériel
need-kind-skill = Compétence
need-kind-place = Lieu
need-kind-funding = Financement
need-filled = pourvu
need-closed = fermé
usage-need = Utilisation : /besoin NUMÉRO TYPE [QUANTITÉ] [| détail] [| jusqu'au AAAA-MM-JJ], types benevoles, materiel, competence, lieu, financement — par exemple /besoin 42 benevoles 5 | samedi 12 avril, 9h-12h | jusqu'au 2027-04-12. Pour fermer un besoin : /besoin B5 fermer.
usage-contribute = Utilisation : /contribuer B5 [message] pour un besoin, ou /contribuer NUMÉRO [message] pour aider un projet. /besoins montre les besoins autour de vous.
need-added = Besoin ajouté à #{ $id } : { $line }. Les personnes proches dont c'est la compétence seront prévenues.
need-too-many = Ce projet a déjà { $max } besoins ouverts : fermez-en un (/besoin B5 fermer) avant d'en ajouter.
need-not-open = Le besoin B{ $id } n'est plus ouvert.
need-closed-done = Besoin fermé : { $line }
unknown-need = Je ne connais pas de besoin B{ $id }.
needs-none = Aucun besoin ouvert à moins de { $radius }. Élargissez le rayon, par exemple /besoins 20km.
needs-found = { $n ->
    [one] 1 besoin ouvert
   *[other] { $n } besoins ouverts
} à moins de { $radius } :
action-can-help = Je peux aider
offer-own-project = Vous organisez #{ $id } : ses besoins sont les vôtres.
offer-already = Vous avez déjà proposé votre aide (O{ $offer }) ; les organisateurs vont répondre.
offer-too-many = Vous avez déjà { $max } propositions en attente de réponse : attendez qu'on vous réponde.
offer-general = de l'aide pour le projet
offer-received = { $who } propose son aide à #{ $id } « { $title } » : { $what } (offre O{ $offer }).
offer-sent = Merci ! Votre proposition O{ $offer } est transmise aux organisateurs de #{ $id } « { $title } » : ils vous répondront ici.
unknown-offer = Je ne connais pas d'offre O{ $id }.
offer-answered = L'offre O{ $id } a déjà reçu une réponse.
offer-accepted-you = Bonne nouvelle : votre aide (O{ $offer }) est acceptée par #{ $id } « { $title } ». Vous faites maintenant partie du projet.
offer-declined-you = Les organisateurs de #{ $id } « { $title } » ont décliné votre proposition O{ $offer } : merci quand même ! /besoins montre d'autres projets qui ont besoin d'aide.
help-offer-accepted = Offre O{ $offer } acceptée : la personne fait maintenant partie du projet.
help-offer-declined = Offre O{ $offer } déclinée ; la personne est prévenue.
card-needs = Besoins :
    { $list }
card-partners = Avec le soutien de { $names }
alert-need = Un besoin correspond à vos compétences : { $line } — /contribuer B{ $need }
action-unfollow = Ne plus suivre
actor-followed = Vous suivez { $name } : ses nouvelles initiatives, leurs nouvelles et leurs événements viendront dans votre fil et vos alertes. /quitter pour arrêter.
actor-already-followed = Vous suivez déjà { $name }.
actor-unfollowed = Vous ne suivez plus { $name }.
actor-not-followed = Vous ne suiviez pas { $name }.
actor-follows-too-many = Vous suivez déjà { $max } acteurs : arrêtez d'en suivre un d'abord.
digest-news-need = Besoin : { $line }
offer-already-accepted = Votre aide pour ce besoin est déjà acceptée (O{ $offer }) : merci !
offer-own = Vous ne pouvez pas accepter votre propre proposition, ni celle de l'acteur pour lequel vous agissez : un autre organisateur le fera.
offer-need-closed-you = Le besoin B{ $need } de #{ $id } « { $title } » est maintenant pourvu ou fermé : votre proposition O{ $offer } n'a plus d'objet. Merci ! /besoins montre d'autres besoins autour de vous.
actor-needs = Ses besoins :
    { $list }
actor-open-needs = { $n ->
    [one] 1 besoin
   *[other] { $n } besoins
}
need-until = jusqu'au { $date }
need-until-bad = Je ne comprends pas cette date.
need-until-past = Cette date est déjà passée : un besoin se déclare pour aujourd'hui ou plus tard.
need-until-far = Un besoin se déclare au plus deux ans à l'avance (jusqu'au { $max }).

# Réponses de la mairie (issue 20)
usage-answer = Utilisation : /reponse NUMÉRO retenue|etude|non-retenue TEXTE — par exemple /reponse 42 etude Le conseil examinera le projet en mars.
answer-not-municipality = Seule une mairie vérifiée (ou son équipe) répond aux initiatives de ses communes.
answer-not-your-commune = #{ $id } n'est pas dans vos communes ({ $communes }) : seule sa mairie y répond.
answer-saved = Réponse publiée sur #{ $id } « { $title } » : { $n ->
    [0] personne ne la suit encore.
    [one] 1 personne sera prévenue.
   *[other] { $n } personnes seront prévenues.
}
answer-updated = Réponse mise à jour sur #{ $id } « { $title } » : { $n ->
    [0] personne ne la suit encore.
    [one] 1 personne sera prévenue.
   *[other] { $n } personnes seront prévenues.
}
answer-status-accepted = retenue
answer-status-studying = à l'étude
answer-status-declined = non retenue
answer-by-unknown = la mairie
answer-line = Réponse de { $by }, { $date } : { $status } — { $text }
digest-news-answer = Réponse de la mairie : { $status } — { $text }
usage-threshold = Utilisation : /digest seuil N (les idées de vos communes qui atteignent N soutiens vous sont signalées, une fois), /digest seuil non pour arrêter.
digest-threshold-set = Les idées de vos communes qui atteignent { $n ->
    [one] 1 soutien
   *[other] { $n } soutiens
} vous seront signalées ici, une fois chacune, et votre lettre dira qu'elles attendent votre réponse.
digest-threshold-off = Plus aucune idée ne vous sera signalée par son nombre de soutiens.
threshold-reached = #{ $id } « { $title } » a atteint { $n ->
    [one] 1 soutien
   *[other] { $n } soutiens
}. Les personnes qui la soutiennent attendent votre réponse : /reponse { $id } retenue|etude|non-retenue TEXTE.
digest-news-threshold = A atteint { $n ->
    [one] 1 soutien
   *[other] { $n } soutiens
} : elle attend la réponse de la mairie
answer-by-other = Une autre mairie a déjà répondu à #{ $id } : chacune garde sa propre réponse.

# Consultations (issue 20)
usage-consultation = Utilisation : /consultation QUESTION | CHOIX | CHOIX… [| plusieurs] | jusqu'au AAAA-MM-JJ [maintenant] — par exemple /consultation Faut-il piétonniser la rue Pasteur le dimanche ? | Oui | Non | jusqu'au 2027-01-15. /consultation seul liste les vôtres, /consultation C3 clore la termine.
usage-vote = Utilisation : /voter C3 NUMÉRO (ou /voter C3 1,3 quand plusieurs choix sont permis ; /voter C3 retirer pour retirer votre vote).
usage-results = Utilisation : /resultats C3
consultation-title = 🗳 Consultation { $id } · { $from }
consultation-how-one = Un seul choix · jusqu'au { $until } inclus.
consultation-how-several = Plusieurs choix possibles · jusqu'au { $until } inclus.
consultation-your-vote = Votre vote : { $choices }. Vous pouvez le changer jusqu'à la fin.
consultation-vote-hint = Répondez avec les boutons, ou /voter { $id } NUMÉRO.
consultation-secret = Vote secret : la mairie ne voit que les totaux, et à la fin Kohero oublie qui a choisi quoi.
action-results = 📊 Résultats
action-withdraw-vote = Retirer mon vote
action-subscribe-commune = S'abonner à { $commune }
consultation-result-line = { $option } : { $count } ({ $percent } %)
consultation-closed-on = terminée le { $date }
consultation-open-until = en cours, jusqu'au { $until } inclus
consultation-results-title = 📊 Résultats de la consultation { $id } · { $from }
consultation-voters = { $n ->
    [0] Aucun votant
    [one] 1 votant
   *[other] { $n } votants
} ({ $state }).
consultation-indicative = Résultats indicatifs : une personne qui a plusieurs comptes peut voter plusieurs fois.
digest-consultation-results = Résultats de la consultation { $id } « { $question } » ({ $n ->
    [0] aucun votant
    [one] 1 votant
   *[other] { $n } votants
}) :
consultation-unknown = Il n'y a pas de consultation { $id }.
consultation-not-municipality = Seule une mairie vérifiée (ou son équipe) consulte les habitants de ses communes.
consultation-options-count = Une consultation propose de { $min } à { $max } choix ; il y en a { $n }. Séparez-les par des « | ».
consultation-option-twice = Le choix « { $option } » est proposé deux fois.
consultation-end-past = Cette date est déjà passée : une consultation se termine aujourd'hui au plus tôt.
consultation-end-far = Une consultation dure au plus deux ans (jusqu'au { $max }).
consultation-too-many = Vous avez déjà { $max } consultations en cours : attendez qu'une se termine, ou terminez-en une (/consultation C3 clore).
consultation-created = Consultation { $id } créée, jusqu'au { $until } inclus.
consultation-sent = Elle part maintenant vers { $n ->
    [0] vos lecteurs (personne n'est encore abonné à vos communes).
    [one] 1 lecteur.
   *[other] { $n } lecteurs.
}
consultation-with-digest = Elle partira avec votre prochaine lettre ({ $next }).
consultation-no-digest = Aucune lettre n'est programmée avant sa fin.
consultation-over = Cette consultation est terminée : les résultats arrivent.
consultation-closed = La consultation { $id } est terminée : on ne peut plus voter.
consultation-town-votes = La mairie ne vote pas à ses propres consultations.
consultation-not-reader = La consultation { $id } s'adresse aux lecteurs de { $communes } : abonnez-vous pour y répondre.
consultation-no-option = Il n'y a pas de choix { $n } : les choix vont de 1 à { $max }.
consultation-only-one = Cette consultation n'admet qu'un seul choix.
consultation-voted = Vote enregistré : { $choices }.
consultation-withdrawn = Votre vote est retiré.
consultation-none = Vous n'avez encore consulté personne. /consultation QUESTION | CHOIX | CHOIX | jusqu'au AAAA-MM-JJ
consultation-list-title = Vos consultations
consultation-state-closed = terminée · { $n ->
    [0] aucun votant
    [one] 1 votant
   *[other] { $n } votants
}
consultation-state-waiting = attend votre prochaine lettre
consultation-state-open = en cours, jusqu'au { $until } inclus
consultation-too-many-week = Vous avez lancé { $max } consultations cette semaine : chacune va à tous vos lecteurs, attendez quelques jours.
consultation-not-yours = La consultation { $id } est celle d'une autre mairie.

## The public web pages (issue 21)
web-home = Kohero : les initiatives locales pour la transition. Les pages sont /i/NUMÉRO (une initiative) et /c/CODE-INSEE (une commune).
web-footer = Kohero — initiatives locales pour la transition écologique et sociale. Aucune donnée personnelle n'est publiée ici.
web-counts = { $supporters ->
    [one] 1 soutien
   *[other] { $supporters } soutiens
} · { $members ->
    [one] 1 membre
   *[other] { $members } membres
}
web-carried-by = Porté par
web-join = Participer
web-join-telegram = Rejoindre sur Telegram
web-join-matrix = Rejoindre sur Matrix
web-join-matrix-hint = Sur Matrix, écrivez au bot : !rejoindre { $id }
web-see-map = Voir sur la carte
web-see-osm = Voir la commune sur OpenStreetMap
web-answer = Réponse de la mairie
web-answer-by = Réponse de { $name }
web-needs = Besoins
web-events = Prochains événements
web-no-events = Aucun événement prévu.
web-event-when = { $when } ({ $tz }), { $duration }
web-subscribe-calendar = S'abonner au calendrier (iCalendar)
web-updates = Dernières nouvelles
web-report = Signaler un contenu
web-report-title = Signaler un contenu
web-report-about = Vous signalez { $target } aux modérateurs. Sans compte, votre signalement les alerte mais ne masque rien à lui seul.
web-report-reason = Pourquoi ?
web-report-text = Précisez si besoin (facultatif, 500 caractères au plus)
web-report-submit = Envoyer le signalement
web-report-back = Retour à la page
web-report-unknown = Il n'y a rien à signaler ici : ce contenu n'est pas (ou plus) sur cette page.
web-report-limited = Trop de signalements depuis cette adresse : réessayez plus tard.
web-report-bad = Ce formulaire est incomplet : choisissez une raison.
web-report-foreign = Ce formulaire doit être envoyé depuis cette page.
web-commune-intro = { $count ->
    [0] Aucune initiative en cours
    [one] 1 initiative en cours
   *[other] { $count } initiatives en cours
} · département { $department }
web-commune-summary = Les initiatives locales de { $name } : { $count ->
    [0] aucune pour l'instant, proposez la première !
    [one] 1 initiative.
   *[other] { $count } initiatives.
}
web-commune-empty = Pas encore d'initiative ici : proposez la première depuis Telegram ou Matrix.
web-group-ideas = Idées
web-group-projects = Projets en cours
web-group-more = … et { $n } autres : toutes sont dans les données ouvertes ci-dessous.
web-group-done = Projets terminés
web-digests = Lettres de la mairie
web-digest-title = { $from }, le { $date }
web-digest-about = Au sommaire :
web-digest-more = { $n ->
    [one] … et une autre initiative.
   *[other] … et { $n } autres initiatives.
}
web-news = Dernières nouvelles
web-no-news = Rien de nouveau pour l'instant.
web-news-created = nouvelle idée
web-news-launched = lancée en projet
web-news-updated = nouvelles
web-news-event = nouvel événement : { $title }
web-news-done = projet terminé
web-data = Données ouvertes
web-feed = Fil d'actualité (Atom)
web-feed-title = Kohero — { $name }
web-geojson = Initiatives en GeoJSON
web-map-label = Carte des initiatives de la commune
web-map-attribution = Fond de carte : © les contributeurs d'OpenStreetMap.
web-visitor = Visiteur du site
