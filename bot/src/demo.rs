//! `kohero demo-data`: a clearly labelled sample set around Lyon, created through
//! the engine like any person's messages (so it obeys every rule). Never runs by itself.

use anyhow::{Context, bail};
use chrono::{Duration, Utc};
use kohero_core::domain::Identity;
use kohero_core::{Content, Engine, Incoming};

const MARK: &str = "[Démo]";

struct Sample {
    organiser: &'static str,
    title: &'static str,
    category: &'static str,
    place: &'static str,
    description: &'static str,
    launch: bool,
}

const SAMPLES: &[Sample] = &[
    Sample {
        organiser: "association-berges",
        title: "Nettoyage des berges du Rhône",
        category: "cleanup",
        place: "geo:45.7578,4.8443",
        description: "Un samedi matin par mois, gants et sacs fournis, pour ramasser les déchets entre le pont de la Guillotière et le pont Wilson.",
        launch: true,
    },
    Sample {
        organiser: "voisins-croix-rousse",
        title: "Composteur partagé à la Croix-Rousse",
        category: "compost",
        place: "geo:45.7745,4.8320",
        description: "Installer un composteur de quartier dans le square, avec des référents pour le retourner chaque semaine.",
        launch: false,
    },
    Sample {
        organiser: "association-berges",
        title: "Repair Café de la Guillotière",
        category: "repair",
        place: "geo:45.7537,4.8430",
        description: "Réparation de vélos, petits appareils et vêtements, avec des bénévoles bricoleurs. Apportez vos objets cassés !",
        launch: true,
    },
    Sample {
        organiser: "voisins-croix-rousse",
        title: "AMAP des Pentes",
        category: "food",
        place: "geo:45.7700,4.8330",
        description: "Des paniers de légumes d'un maraîcher des Monts du Lyonnais, distribués chaque jeudi soir.",
        launch: false,
    },
    Sample {
        organiser: "collectif-anti-gaspi",
        title: "Disco soupe place Bellecour",
        category: "antiwaste",
        place: "geo:45.7578,4.8320",
        description: "On cuisine en musique les invendus du marché et on partage la soupe avec les passants.",
        launch: false,
    },
    Sample {
        organiser: "collectif-anti-gaspi",
        title: "Vélo-école à Villeurbanne",
        category: "mobility",
        place: "geo:45.7719,4.8902",
        description: "Apprendre à rouler en ville en confiance, pour adultes débutants.",
        launch: false,
    },
    Sample {
        organiser: "voisins-croix-rousse",
        title: "Jardin partagé de Gerland",
        category: "nature",
        place: "geo:45.7300,4.8330",
        description: "Transformer une friche en jardin potager ouvert aux habitants.",
        launch: false,
    },
    Sample {
        organiser: "collectif-anti-gaspi",
        title: "Épicerie solidaire de Vaulx-en-Velin",
        category: "solidarity",
        place: "geo:45.7785,4.9220",
        description: "Une épicerie à prix solidaires tenue par des bénévoles.",
        launch: false,
    },
];

async fn say(engine: &Engine, who: &str, text: String) -> anyhow::Result<String> {
    let replies = engine
        .handle(Incoming {
            chat_check: None,
            chat: None,
            event_id: None,
            message_id: None,
            identity: Identity::new("demo", who),
            display_name: Some(format!("{MARK} {who}")),
            lang_hint: None,
            content: Content::Text(text.clone()),
        })
        .await?;
    Ok(replies
        .iter()
        .map(|r| r.plain())
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The first `#N` of a reply.
fn first_id(reply: &str) -> Option<i64> {
    let start = reply.find('#')? + 1;
    let digits: String = reply[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Adds the sample set; returns how many initiatives were added (0 if already there).
pub async fn add(engine: &Engine) -> anyhow::Result<usize> {
    if engine
        .knows(&Identity::new("demo", SAMPLES[0].organiser))
        .await?
    {
        return Ok(0);
    }
    let next_week = (Utc::now() + Duration::days(7))
        .format("%Y-%m-%d 10:00")
        .to_string();
    for s in SAMPLES {
        let reply = say(
            engine,
            s.organiser,
            format!(
                "/proposer {MARK} {} | {} | {} | {}",
                s.title, s.category, s.place, s.description
            ),
        )
        .await?;
        let id = first_id(&reply).with_context(|| format!("demo proposal refused: {reply}"))?;
        say(engine, "habitante", format!("/soutenir {id}")).await?;
        if s.launch {
            let reply = say(engine, s.organiser, format!("/lancer {id}")).await?;
            if first_id(&reply) != Some(id) {
                bail!("demo launch refused: {reply}");
            }
            say(
                engine,
                s.organiser,
                format!("/maj {id} {MARK} Merci aux premiers bénévoles, on se retrouve bientôt !"),
            )
            .await?;
            say(
                engine,
                s.organiser,
                format!(
                    "/evenement {id} {MARK} Prochain rendez-vous | {next_week} | {}",
                    s.place
                ),
            )
            .await?;
        }
    }
    Ok(SAMPLES.len())
}

#[cfg(test)]
mod tests {
    use super::first_id;

    #[test]
    fn ids_in_replies() {
        assert_eq!(first_id("Votre idée #12 « x #3 »"), Some(12));
        assert_eq!(first_id("rien"), None);
    }
}
