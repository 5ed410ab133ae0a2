//! The in-memory generator: builds the world once, then produces records in fixed chunks.
//!
//! Record `i` of a kind is always drawn from the random stream of chunk `i / CHUNK` of that kind,
//! in order within the chunk. So chunks can be generated on any thread in any order and the
//! result is the same; this is what lets the writer run in parallel and stay byte-identical.

use crate::ads::{self, STOCK_PHOTOS};
use crate::cases;
use crate::date::iso;
use crate::error::SynthError;
use crate::records::{
    IdentifierUse, NetworkTruth, Record, RecordTruth, SharedIdentifier, WorldTruth,
};
use crate::reports;
use crate::tips;
use crate::util::{e164, id, stream, Stream};
use crate::world::{self, Plan, World};
use crate::Config;

/// Records per chunk; also the number of report files per `reports/NNN/` directory.
pub const CHUNK: usize = 1000;

/// The four kinds of record, in the order they are generated and written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Case,
    Report,
    Tip,
    Ad,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Case, Kind::Report, Kind::Tip, Kind::Ad];

    fn stream(self) -> Stream {
        match self {
            Kind::Case => Stream::Cases,
            Kind::Report => Stream::Reports,
            Kind::Tip => Stream::Tips,
            Kind::Ad => Stream::Ads,
        }
    }
}

/// A generated world, ready to produce its records.
pub struct Generator {
    seed: u64,
    world: World,
}

impl Generator {
    /// Builds the world (people, networks, episodes) for `cfg`; records come later, on demand.
    pub fn new(cfg: &Config) -> Generator {
        let plan = Plan::for_scale(usize::try_from(cfg.scale).unwrap_or(usize::MAX));
        Generator {
            seed: cfg.seed,
            world: world::build(cfg.seed, plan),
        }
    }

    /// How many records of each kind the world has.
    pub fn plan(&self) -> Plan {
        self.world.plan
    }

    /// The number of records of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        let p = &self.world.plan;
        match kind {
            Kind::Case => p.cases,
            Kind::Report => p.reports,
            Kind::Tip => p.tips,
            Kind::Ad => p.ads,
        }
    }

    /// The number of chunks of `kind`.
    pub fn chunks(&self, kind: Kind) -> usize {
        self.count(kind).div_ceil(CHUNK)
    }

    /// Records `c * CHUNK ..` of `kind` (fewer in the last chunk), each with its truth.
    pub fn chunk(&self, kind: Kind, c: usize) -> Result<Vec<(Record, RecordTruth)>, SynthError> {
        let from = c * CHUNK;
        let to = (from + CHUNK).min(self.count(kind));
        let mut r = stream(self.seed, kind.stream(), c as u64);
        let mut out = Vec::with_capacity(to.saturating_sub(from));
        for n in from..to {
            out.push(match kind {
                Kind::Case => {
                    let (c, t) = cases::case(&mut r, &self.world, n);
                    (Record::Case(c), t)
                }
                Kind::Report => {
                    let (rep, t) = reports::report(&mut r, &self.world, n)?;
                    (
                        Record::Report {
                            id: id("report", n),
                            report: Box::new(rep),
                        },
                        t,
                    )
                }
                Kind::Tip => {
                    let (tip, t) = tips::tip(&mut r, &self.world, n);
                    (Record::Tip(tip), t)
                }
                Kind::Ad => {
                    let (ad, t) = ads::ad(&mut r, &self.world, n);
                    (Record::Ad(ad), t)
                }
            });
        }
        Ok(out)
    }

    /// Every record in file order (cases, reports, tips, ads), one chunk in memory at a time.
    pub fn records(&self) -> impl Iterator<Item = Result<(Record, RecordTruth), SynthError>> + '_ {
        Kind::ALL
            .into_iter()
            .flat_map(move |k| (0..self.chunks(k)).map(move |c| (k, c)))
            .flat_map(move |(k, c)| match self.chunk(k, c) {
                Ok(v) => v.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            })
    }

    /// Everything about the world that is not a record: persons, networks, shared identifiers.
    pub fn truth(&self) -> WorldTruth {
        let w = &self.world;
        let networks = w
            .networks
            .iter()
            .enumerate()
            .map(|(ni, net)| {
                let mut states: Vec<String> = Vec::new();
                for (_, c) in &net.timeline {
                    let s = crate::data::CITIES[*c].state.to_string();
                    if !states.contains(&s) {
                        states.push(s);
                    }
                }
                let mut image_hashes: Vec<String> = net.logos.clone();
                image_hashes.extend(net.victim_images.iter().flatten().cloned());
                NetworkTruth {
                    id: id("net", ni),
                    kind: net.kind,
                    offenders: net
                        .offenders
                        .iter()
                        .map(|o| id("person", o.person))
                        .collect(),
                    victims: net
                        .victims
                        .iter()
                        .map(|v| id("person", w.children[*v].person))
                        .collect(),
                    cases: net.victims.iter().map(|v| id("case", *v)).collect(),
                    states,
                    active_from: iso(net.start),
                    active_to: iso(net.end),
                    phones: net
                        .phones
                        .iter()
                        .map(|p| IdentifierUse {
                            value: e164(p.number),
                            holder: net
                                .offenders
                                .get(p.holder)
                                .map_or_else(String::new, |o| id("person", o.person)),
                            from: iso(p.from),
                            to: iso(p.to),
                        })
                        .collect(),
                    emails: net.emails.clone(),
                    handles: net.handles.clone(),
                    devices: net.devices.clone(),
                    image_hashes,
                    templates: net.templates.iter().map(|t| t.id.clone()).collect(),
                }
            })
            .collect();
        let mut shared_identifiers: Vec<SharedIdentifier> = w
            .shelters
            .iter()
            .map(|s| SharedIdentifier {
                kind: "phone".to_string(),
                value: e164(s.phone),
                owner: format!("{} hotline, {}", s.name, crate::data::CITIES[s.city].name),
            })
            .collect();
        shared_identifiers.extend(w.library_ips.iter().map(|ip| SharedIdentifier {
            kind: "ip".to_string(),
            value: ip.clone(),
            owner: "public library Wi-Fi".to_string(),
        }));
        shared_identifiers.extend((0..STOCK_PHOTOS).map(|k| SharedIdentifier {
            kind: "image".to_string(),
            value: ads::stock_photo(k),
            owner: "stock photo".to_string(),
        }));
        WorldTruth {
            persons: w.persons.clone(),
            networks,
            shared_identifiers,
        }
    }
}
