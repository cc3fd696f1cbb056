//! The migration's summary: one line per kind (created or to create,
//! already there, skipped with the reason).

use std::fmt::Write;

/// The kinds `trove migrate` creates, in the order it creates them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Project,
    Tag,
    Artifact,
    ArtifactVersion,
    Model,
    ModelVersion,
    ModelVersionMetadata,
    ModelVersionArtifact,
    Pipeline,
}

pub const KINDS: [Kind; 9] = [
    Kind::Project,
    Kind::Tag,
    Kind::Artifact,
    Kind::ArtifactVersion,
    Kind::Model,
    Kind::ModelVersion,
    Kind::ModelVersionMetadata,
    Kind::ModelVersionArtifact,
    Kind::Pipeline,
];

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Project => "projects",
            Kind::Tag => "tags",
            Kind::Artifact => "artifacts",
            Kind::ArtifactVersion => "artifact versions",
            Kind::Model => "models",
            Kind::ModelVersion => "model versions",
            Kind::ModelVersionMetadata => "model version metadata keys",
            Kind::ModelVersionArtifact => "model version artifact links",
            Kind::Pipeline => "pipelines",
        }
    }
}

#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Created (or, in a dry run, to create).
    pub created: u64,
    pub existing: u64,
}

#[derive(Debug)]
pub struct Report {
    pub dry_run: bool,
    pub tallies: [Tally; KINDS.len()],
    /// `(label, count, reason)` of what is not migrated.
    pub skipped: Vec<(&'static str, u64, &'static str)>,
    /// What was created differently (e.g. a model version's number).
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(dry_run: bool) -> Report {
        Report { dry_run, tallies: [Tally::default(); KINDS.len()], skipped: Vec::new(), notes: Vec::new() }
    }

    pub fn tally(&mut self, kind: Kind) -> &mut Tally {
        &mut self.tallies[KINDS.iter().position(|k| *k == kind).expect("every kind is listed")]
    }

    pub fn created(&self) -> u64 {
        self.tallies.iter().map(|t| t.created).sum()
    }

    /// The summary lines.
    pub fn render(&self) -> String {
        let verb = if self.dry_run { "to create" } else { "created" };
        let mut out = String::new();
        for (kind, t) in KINDS.iter().zip(&self.tallies) {
            let _ = writeln!(out, "{}: {} {verb}, {} already there", kind.label(), t.created, t.existing);
        }
        for (label, n, reason) in &self.skipped {
            let _ = writeln!(out, "{label}: {n} skipped ({reason})");
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}
