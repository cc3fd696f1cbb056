-- trove database schema (SQLite). Applied on first start; the version lives in
-- PRAGMA user_version (see src/db/migrate.rs, SCHEMA_VERSION).
--
-- Conventions
--   * every table has an integer `pk` used for joins and foreign keys;
--   * `id` is the public UUID, stored as 32 lowercase hex characters without
--     hyphens (ZenML's storage form: UUID filters other than equality operate
--     on this text, e.g. `id=startswith:3296e24a`);
--   * timestamps are INTEGER microseconds since the Unix epoch, UTC;
--   * JSON values (sources, metadata values, configurations) are compact JSON text.

CREATE TABLE users (
    pk                  INTEGER PRIMARY KEY,
    id                  TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL UNIQUE,
    full_name           TEXT    NOT NULL DEFAULT '',
    email               TEXT,
    email_opted_in      INTEGER,
    password_hash       TEXT,
    active              INTEGER NOT NULL DEFAULT 1,
    is_admin            INTEGER NOT NULL DEFAULT 0,
    is_service_account  INTEGER NOT NULL DEFAULT 0,
    password_changed_at INTEGER,
    created             INTEGER NOT NULL,
    updated             INTEGER NOT NULL
);

CREATE TABLE projects (
    pk           INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL UNIQUE,
    display_name TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    created      INTEGER NOT NULL,
    updated      INTEGER NOT NULL
);

-- Stack components (the default local orchestrator and artifact store).
CREATE TABLE stack_components (
    pk            INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    type          TEXT    NOT NULL,           -- 'orchestrator', 'artifact_store', ...
    flavor        TEXT    NOT NULL,           -- 'local'
    configuration TEXT    NOT NULL DEFAULT '{}',
    user_pk       INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL,
    UNIQUE (type, name)
);

CREATE TABLE stacks (
    pk          INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    user_pk     INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL
);

CREATE TABLE stack_component_links (
    stack_pk     INTEGER NOT NULL REFERENCES stacks(pk) ON DELETE CASCADE,
    component_pk INTEGER NOT NULL REFERENCES stack_components(pk) ON DELETE CASCADE,
    PRIMARY KEY (stack_pk, component_pk)
) WITHOUT ROWID;
CREATE INDEX stack_component_links_by_component ON stack_component_links (component_pk);

CREATE TABLE artifacts (
    pk              INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    project_pk      INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    has_custom_name INTEGER NOT NULL DEFAULT 0,
    user_pk         INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL,
    UNIQUE (project_pk, name)
);
CREATE INDEX artifacts_by_name ON artifacts (name);

CREATE TABLE artifact_versions (
    pk                INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    artifact_pk       INTEGER NOT NULL REFERENCES artifacts(pk) ON DELETE CASCADE,
    project_pk        INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    user_pk           INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    version           TEXT    NOT NULL,
    version_number    INTEGER,
    uri               TEXT    NOT NULL,
    type              TEXT    NOT NULL,
    materializer      TEXT    NOT NULL,        -- compact JSON of the source
    data_type         TEXT    NOT NULL,        -- compact JSON of the source
    save_type         TEXT    NOT NULL,
    artifact_store_id TEXT,                    -- 32 hex, a stack component id
    content_hash      TEXT,
    item_count        INTEGER,
    created           INTEGER NOT NULL,
    updated           INTEGER NOT NULL,
    -- The pks of its tags, comma-separated: a copy of its rows in
    -- artifact_version_tags kept by the triggers below, so that loading a
    -- page of versions reads their tags with their rows.
    tag_pks           TEXT    NOT NULL DEFAULT '',
    UNIQUE (artifact_pk, version)
);
-- The default list order (project, created, id) and deep pages: a covering index.
CREATE INDEX artifact_versions_by_project_created ON artifact_versions (project_pk, created, id);
-- Latest version of an artifact (client: artifact=NAME, sort_by=desc:created, size=1).
CREATE INDEX artifact_versions_by_artifact_created ON artifact_versions (artifact_pk, created, id);
CREATE INDEX artifact_versions_by_artifact_number ON artifact_versions (artifact_pk, version_number);
CREATE INDEX artifact_versions_by_user ON artifact_versions (user_pk, created);
CREATE INDEX artifact_versions_by_uri ON artifact_versions (uri);

-- Number of versions per project, kept by triggers, so that an unfiltered
-- list knows its total without counting the project's versions (O(1), not O(n)).
CREATE TABLE project_version_counts (
    project_pk INTEGER PRIMARY KEY REFERENCES projects(pk) ON DELETE CASCADE,
    n          INTEGER NOT NULL
);
CREATE TRIGGER artifact_versions_count_insert AFTER INSERT ON artifact_versions BEGIN
    INSERT INTO project_version_counts (project_pk, n) VALUES (NEW.project_pk, 1)
        ON CONFLICT (project_pk) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER artifact_versions_count_delete AFTER DELETE ON artifact_versions BEGIN
    UPDATE project_version_counts SET n = n - 1 WHERE project_pk = OLD.project_pk;
END;

-- A project's versions in list order (created, id), cut into blocks: a block
-- starts at its key and holds the n versions up to the next block's key; the
-- first block of a project starts below every key. A deep page of the
-- unfiltered list sums block sizes up to the block holding its first row and
-- skips only inside that block, instead of stepping over every earlier row
-- (db::version_blocks). Every project gets its first block when it is
-- created; the triggers keep n exact; the writer splits blocks that grew
-- past twice the block size.
-- section: version_blocks (the upgrade to version 4 runs this section)
CREATE TABLE version_blocks (
    pk         INTEGER PRIMARY KEY,
    project_pk INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    created    INTEGER NOT NULL,
    id         TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    UNIQUE (project_pk, created, id)
);
CREATE TRIGGER version_blocks_first AFTER INSERT ON projects BEGIN
    INSERT INTO version_blocks (project_pk, created, id, n) VALUES (NEW.pk, -9223372036854775808, '', 0);
END;
CREATE TRIGGER version_blocks_insert AFTER INSERT ON artifact_versions BEGIN
    UPDATE version_blocks SET n = n + 1 WHERE pk = (
        SELECT pk FROM version_blocks WHERE project_pk = NEW.project_pk AND (created, id) <= (NEW.created, NEW.id)
        ORDER BY created DESC, id DESC LIMIT 1);
END;
CREATE TRIGGER version_blocks_delete AFTER DELETE ON artifact_versions BEGIN
    UPDATE version_blocks SET n = n - 1 WHERE pk = (
        SELECT pk FROM version_blocks WHERE project_pk = OLD.project_pk AND (created, id) <= (OLD.created, OLD.id)
        ORDER BY created DESC, id DESC LIMIT 1);
END;
CREATE TRIGGER version_blocks_move AFTER UPDATE OF project_pk, created, id ON artifact_versions BEGIN
    UPDATE version_blocks SET n = n - 1 WHERE pk = (
        SELECT pk FROM version_blocks WHERE project_pk = OLD.project_pk AND (created, id) <= (OLD.created, OLD.id)
        ORDER BY created DESC, id DESC LIMIT 1);
    UPDATE version_blocks SET n = n + 1 WHERE pk = (
        SELECT pk FROM version_blocks WHERE project_pk = NEW.project_pk AND (created, id) <= (NEW.created, NEW.id)
        ORDER BY created DESC, id DESC LIMIT 1);
END;
-- end of section: version_blocks

CREATE TABLE tags (
    pk        INTEGER PRIMARY KEY,
    id        TEXT    NOT NULL UNIQUE,
    name      TEXT    NOT NULL UNIQUE,
    color     TEXT    NOT NULL,
    exclusive INTEGER NOT NULL DEFAULT 0,
    user_pk   INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    created   INTEGER NOT NULL,
    updated   INTEGER NOT NULL
);

-- `artifact_pk` and `created` repeat the version's (neither ever changes;
-- a link copies them from its version row when it is written): a list
-- filtered by artifact and tag reads exactly its matches from the index
-- (tag, artifact) instead of every version carrying the tag, counts them
-- there, and walks them in `created` order, reading only the page's
-- versions (`db::tagged_versions`).
CREATE TABLE artifact_version_tags (
    version_pk  INTEGER NOT NULL REFERENCES artifact_versions(pk) ON DELETE CASCADE,
    tag_pk      INTEGER NOT NULL REFERENCES tags(pk) ON DELETE CASCADE,
    artifact_pk INTEGER NOT NULL,
    created     INTEGER NOT NULL,
    PRIMARY KEY (version_pk, tag_pk)
) WITHOUT ROWID;
CREATE INDEX artifact_version_tags_by_tag ON artifact_version_tags (tag_pk, artifact_pk, created, version_pk);
-- Links are only inserted and deleted, never updated in place.
-- section: version_tag_pks (the upgrade to version 5 runs this section)
CREATE TRIGGER version_tag_pks_insert AFTER INSERT ON artifact_version_tags BEGIN
    UPDATE artifact_versions SET tag_pks = coalesce(
        (SELECT group_concat(tag_pk) FROM artifact_version_tags WHERE version_pk = NEW.version_pk), '')
    WHERE pk = NEW.version_pk;
END;
CREATE TRIGGER version_tag_pks_delete AFTER DELETE ON artifact_version_tags BEGIN
    UPDATE artifact_versions SET tag_pks = coalesce(
        (SELECT group_concat(tag_pk) FROM artifact_version_tags WHERE version_pk = OLD.version_pk), '')
    WHERE pk = OLD.version_pk;
END;
-- end of section: version_tag_pks

-- Artifact-level tags (separate from version tags).
CREATE TABLE artifact_tags (
    artifact_pk INTEGER NOT NULL REFERENCES artifacts(pk) ON DELETE CASCADE,
    tag_pk      INTEGER NOT NULL REFERENCES tags(pk) ON DELETE CASCADE,
    PRIMARY KEY (artifact_pk, tag_pk)
) WITHOUT ROWID;
CREATE INDEX artifact_tags_by_tag ON artifact_tags (tag_pk, artifact_pk);

-- Run metadata of artifact versions. Several entries per key may exist; the
-- newest (highest pk) is the one shown.
CREATE TABLE run_metadata (
    pk         INTEGER PRIMARY KEY,
    version_pk INTEGER NOT NULL REFERENCES artifact_versions(pk) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,               -- JSON encoding of the value
    type       TEXT    NOT NULL,               -- 'str', 'int', 'float', 'bool', 'list', 'dict'
    created    INTEGER NOT NULL
);
CREATE INDEX run_metadata_by_version ON run_metadata (version_pk, key);

CREATE TABLE visualizations (
    pk         INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    version_pk INTEGER NOT NULL REFERENCES artifact_versions(pk) ON DELETE CASCADE,
    type       TEXT    NOT NULL,
    uri        TEXT    NOT NULL,
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL
);
CREATE INDEX visualizations_by_version ON visualizations (version_pk, pk);

-- Pipelines, their snapshots, runs, step runs and logs (ZenML's run model;
-- /work/shared/spec/pipeline-runs.md). Configuration objects the client
-- sends and reads back whole are stored as compact JSON text.
-- section: pipelines (the upgrade to version 6 runs this section)
CREATE TABLE pipelines (
    pk          INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    project_pk  INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    description TEXT,
    user_pk     INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    -- Runs ever created (the next run's `index`; never decremented).
    run_count   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    UNIQUE (project_pk, name)
);
CREATE INDEX pipelines_by_project_created ON pipelines (project_pk, created, id);

CREATE TABLE pipeline_tags (
    pipeline_pk INTEGER NOT NULL REFERENCES pipelines(pk) ON DELETE CASCADE,
    tag_pk      INTEGER NOT NULL REFERENCES tags(pk) ON DELETE CASCADE,
    PRIMARY KEY (pipeline_pk, tag_pk)
) WITHOUT ROWID;
CREATE INDEX pipeline_tags_by_tag ON pipeline_tags (tag_pk, pipeline_pk);

-- One per run (the client creates a new snapshot for every run).
CREATE TABLE snapshots (
    pk                     INTEGER PRIMARY KEY,
    id                     TEXT    NOT NULL UNIQUE,
    project_pk             INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    pipeline_pk            INTEGER NOT NULL REFERENCES pipelines(pk) ON DELETE CASCADE,
    stack_pk               INTEGER REFERENCES stacks(pk) ON DELETE SET NULL,
    user_pk                INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    name                   TEXT,
    run_name_template      TEXT    NOT NULL,
    pipeline_configuration TEXT    NOT NULL,   -- JSON object
    step_count             INTEGER NOT NULL,
    is_dynamic             INTEGER NOT NULL DEFAULT 0,
    -- The other metadata fields the response echoes (description,
    -- source_code, client_environment without python_packages, versions,
    -- pipeline_spec, code_path, ...): one JSON object.
    metadata               TEXT    NOT NULL,
    created                INTEGER NOT NULL,
    updated                INTEGER NOT NULL,
    UNIQUE (pipeline_pk, name)
    -- (two more columns, added in version 9: section snapshot_keys)
);
CREATE INDEX snapshots_by_project_created ON snapshots (project_pk, created, id);

-- section: snapshot_steps (the upgrade to version 10 runs this section)
-- A snapshot's step configurations in the order the client sent them
-- (`{"spec", "config", "step_config_overrides"}` as sent). A rowid table:
-- a configuration is a few KB, and in a WITHOUT ROWID table every step of
-- the key search read whole rows that large from their overflow pages
-- (until version 10; bench/README.md, "Snapshot steps").
-- Step creates and step responses read only two parts of it, taken out
-- once, when the row is written (src/models/step_parts.rs): `spec` (its
-- JSON text), and `step_config`, the `config` object without its
-- `substitutions` (a response puts the run's in). NULL when the part is
-- absent (or `config` is not an object).
CREATE TABLE snapshot_steps (
    snapshot_pk INTEGER NOT NULL REFERENCES snapshots(pk) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    config      TEXT    NOT NULL,              -- JSON object
    spec        TEXT,                          -- JSON
    step_config TEXT,                          -- JSON object
    PRIMARY KEY (snapshot_pk, name)
);
-- end of section: snapshot_steps

CREATE TABLE runs (
    pk                       INTEGER PRIMARY KEY,
    id                       TEXT    NOT NULL UNIQUE,
    project_pk               INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    pipeline_pk              INTEGER REFERENCES pipelines(pk) ON DELETE CASCADE,
    snapshot_pk              INTEGER NOT NULL REFERENCES snapshots(pk) ON DELETE CASCADE,
    user_pk                  INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    name                     TEXT    NOT NULL,
    status                   TEXT    NOT NULL,
    in_progress              INTEGER NOT NULL,
    status_reason            TEXT,
    run_index                INTEGER NOT NULL,   -- `body.index`
    orchestrator_run_id      TEXT,
    start_time               INTEGER,
    end_time                 INTEGER,
    orchestrator_environment TEXT    NOT NULL DEFAULT '{}',   -- JSON, without python_packages
    trigger_info             TEXT,                           -- JSON or NULL
    exception_info           TEXT,                           -- JSON or NULL
    enable_heartbeat         INTEGER NOT NULL DEFAULT 1,
    created                  INTEGER NOT NULL,
    updated                  INTEGER NOT NULL,
    UNIQUE (project_pk, name)
);
CREATE INDEX runs_by_project_created ON runs (project_pk, created, id);
CREATE INDEX runs_by_pipeline_created ON runs (pipeline_pk, created, id);
CREATE INDEX runs_by_snapshot ON runs (snapshot_pk, orchestrator_run_id);

CREATE TABLE run_tags (
    run_pk INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    tag_pk INTEGER NOT NULL REFERENCES tags(pk) ON DELETE CASCADE,
    PRIMARY KEY (run_pk, tag_pk)
) WITHOUT ROWID;
CREATE INDEX run_tags_by_tag ON run_tags (tag_pk, run_pk);

CREATE TABLE steps (
    pk                  INTEGER PRIMARY KEY,
    id                  TEXT    NOT NULL UNIQUE,
    project_pk          INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    run_pk              INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    user_pk             INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    name                TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    is_retriable        INTEGER NOT NULL DEFAULT 0,
    start_time          INTEGER,
    end_time            INTEGER,
    cache_key           TEXT,
    cache_expires_at    INTEGER,
    code_hash           TEXT,
    docstring           TEXT,
    source_code         TEXT,
    exception_info      TEXT,                  -- JSON or NULL
    -- 32 hex of the step a cached step reuses (not a reference: the
    -- original's run may be deleted).
    original_step_id    TEXT,
    created             INTEGER NOT NULL,
    updated             INTEGER NOT NULL
);
CREATE INDEX steps_by_run ON steps (run_pk, created, id);
-- The client's cache lookup: cache_key=…&status=completed, newest first.
CREATE INDEX steps_by_cache_key ON steps (cache_key, status, created);

-- Upstream steps of a step (in the same run).
CREATE TABLE step_parents (
    step_pk   INTEGER NOT NULL REFERENCES steps(pk) ON DELETE CASCADE,
    parent_pk INTEGER NOT NULL REFERENCES steps(pk) ON DELETE CASCADE,
    PRIMARY KEY (step_pk, parent_pk)
) WITHOUT ROWID;

-- Artifact versions a step read (`is_output` 0, with the input type and
-- position) or produced (`is_output` 1), under the step's input/output name.
CREATE TABLE step_artifacts (
    step_pk    INTEGER NOT NULL REFERENCES steps(pk) ON DELETE CASCADE,
    is_output  INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    version_pk INTEGER NOT NULL REFERENCES artifact_versions(pk) ON DELETE CASCADE,
    input_type TEXT,
    position   INTEGER,
    PRIMARY KEY (step_pk, is_output, name, version_pk)
) WITHOUT ROWID;
-- only_unused, producers, the pipeline_run filter: from the version's side.
CREATE INDEX step_artifacts_by_version ON step_artifacts (version_pk, is_output, step_pk);

CREATE TABLE logs (
    pk                 INTEGER PRIMARY KEY,
    id                 TEXT    NOT NULL UNIQUE,
    project_pk         INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    user_pk            INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    uri                TEXT,
    source             TEXT    NOT NULL,
    artifact_store_id  TEXT,                   -- 32 hex
    log_store_id       TEXT,                   -- 32 hex
    run_pk             INTEGER REFERENCES runs(pk) ON DELETE CASCADE,
    step_pk            INTEGER REFERENCES steps(pk) ON DELETE CASCADE,
    hook_invocation_id TEXT,                   -- 32 hex
    created            INTEGER NOT NULL,
    updated            INTEGER NOT NULL
);
CREATE INDEX logs_by_run ON logs (run_pk) WHERE run_pk IS NOT NULL;
CREATE INDEX logs_by_step ON logs (step_pk) WHERE step_pk IS NOT NULL;

-- Run metadata of runs and steps (artifact versions keep theirs in
-- run_metadata). Several entries per key may exist; the newest wins.
CREATE TABLE run_step_metadata (
    pk       INTEGER PRIMARY KEY,
    run_pk   INTEGER REFERENCES runs(pk) ON DELETE CASCADE,
    step_pk  INTEGER REFERENCES steps(pk) ON DELETE CASCADE,
    key      TEXT    NOT NULL,
    value    TEXT    NOT NULL,                 -- json.dumps of the value
    type     TEXT    NOT NULL,
    created  INTEGER NOT NULL,
    CHECK ((run_pk IS NULL) <> (step_pk IS NULL))
);
CREATE INDEX run_step_metadata_by_run ON run_step_metadata (run_pk, key) WHERE run_pk IS NOT NULL;
CREATE INDEX run_step_metadata_by_step ON run_step_metadata (step_pk, key) WHERE step_pk IS NOT NULL;
-- end of section: pipelines

-- What every step create or update reads of its run's snapshot, taken out of
-- `pipeline_configuration` when the snapshot is created (SQLite parsed that
-- text with json_extract on each of those writes; bench/README.md, "Snapshot
-- keys"): `execution_mode` when it is a string, `substitutions` (compact
-- JSON) when it is an object, else NULL.
-- section: snapshot_keys (the upgrade to version 9 runs this section)
ALTER TABLE snapshots ADD COLUMN execution_mode TEXT;
ALTER TABLE snapshots ADD COLUMN substitutions TEXT;
-- end of section: snapshot_keys

-- section: models (the upgrade to version 7 runs this section)
CREATE TABLE models (
    pk                      INTEGER PRIMARY KEY,
    id                      TEXT    NOT NULL UNIQUE,
    project_pk              INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    user_pk                 INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    name                    TEXT    NOT NULL,
    license                 TEXT,
    description             TEXT,
    audience                TEXT,
    use_cases               TEXT,
    limitations             TEXT,
    trade_offs              TEXT,
    ethics                  TEXT,
    save_models_to_registry INTEGER NOT NULL DEFAULT 1,
    created                 INTEGER NOT NULL,
    updated                 INTEGER NOT NULL,
    UNIQUE (project_pk, name)
);
CREATE INDEX models_by_project_created ON models (project_pk, created, id);

CREATE TABLE model_tags (
    model_pk INTEGER NOT NULL REFERENCES models(pk) ON DELETE CASCADE,
    tag_pk   INTEGER NOT NULL REFERENCES tags(pk) ON DELETE CASCADE,
    PRIMARY KEY (model_pk, tag_pk)
) WITHOUT ROWID;
CREATE INDEX model_tags_by_tag ON model_tags (tag_pk, model_pk);

CREATE TABLE model_versions (
    pk              INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    project_pk      INTEGER NOT NULL REFERENCES projects(pk) ON DELETE CASCADE,
    model_pk        INTEGER NOT NULL REFERENCES models(pk) ON DELETE CASCADE,
    user_pk         INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    name            TEXT    NOT NULL,
    number          INTEGER NOT NULL,
    description     TEXT,
    stage           TEXT,
    -- The run that created a numbered version (a retry of it finds it again).
    producer_run_pk INTEGER REFERENCES runs(pk) ON DELETE SET NULL,
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL,
    UNIQUE (model_pk, name),
    UNIQUE (model_pk, number)
);
CREATE INDEX model_versions_by_project_created ON model_versions (project_pk, created, id);

CREATE TABLE model_version_tags (
    model_version_pk INTEGER NOT NULL REFERENCES model_versions(pk) ON DELETE CASCADE,
    tag_pk           INTEGER NOT NULL REFERENCES tags(pk) ON DELETE CASCADE,
    PRIMARY KEY (model_version_pk, tag_pk)
) WITHOUT ROWID;
CREATE INDEX model_version_tags_by_tag ON model_version_tags (tag_pk, model_version_pk);

-- Artifact versions linked to a model version (step outputs of its runs).
CREATE TABLE model_version_artifacts (
    pk               INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    model_version_pk INTEGER NOT NULL REFERENCES model_versions(pk) ON DELETE CASCADE,
    version_pk       INTEGER NOT NULL REFERENCES artifact_versions(pk) ON DELETE CASCADE,
    user_pk          INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    created          INTEGER NOT NULL,
    updated          INTEGER NOT NULL,
    UNIQUE (model_version_pk, version_pk)
);
CREATE INDEX model_version_artifacts_by_version ON model_version_artifacts (version_pk, model_version_pk);

-- Runs linked to a model version (the run's own model version first).
CREATE TABLE model_version_runs (
    pk               INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    model_version_pk INTEGER NOT NULL REFERENCES model_versions(pk) ON DELETE CASCADE,
    run_pk           INTEGER NOT NULL REFERENCES runs(pk) ON DELETE CASCADE,
    user_pk          INTEGER REFERENCES users(pk) ON DELETE SET NULL,
    created          INTEGER NOT NULL,
    updated          INTEGER NOT NULL,
    UNIQUE (model_version_pk, run_pk)
);
CREATE INDEX model_version_runs_by_run ON model_version_runs (run_pk, created);

CREATE TABLE model_version_metadata (
    pk               INTEGER PRIMARY KEY,
    model_version_pk INTEGER NOT NULL REFERENCES model_versions(pk) ON DELETE CASCADE,
    key              TEXT    NOT NULL,
    value            TEXT    NOT NULL,         -- json.dumps of the value
    type             TEXT    NOT NULL,
    created          INTEGER NOT NULL
);
CREATE INDEX model_version_metadata_by_version ON model_version_metadata (model_version_pk, key);
-- end of section: models

-- section: api_keys (the upgrade to version 8 runs this section)
-- Service accounts are users with is_service_account = 1 (no password);
-- they log in only with their API keys. The secret of a key is 32 random
-- bytes shown once; only its SHA-256 is stored (hex). Rotation keeps the
-- previous hash for retain_period minutes after last_rotated.
ALTER TABLE users ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN avatar_url TEXT;
CREATE TABLE api_keys (
    pk             INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    account_pk     INTEGER NOT NULL REFERENCES users(pk) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    key_hash       TEXT    NOT NULL,
    previous_hash  TEXT,
    key_generation INTEGER NOT NULL DEFAULT 1,
    retain_period  INTEGER NOT NULL DEFAULT 0,
    active         INTEGER NOT NULL DEFAULT 1,
    last_login     INTEGER,
    last_rotated   INTEGER,
    created        INTEGER NOT NULL,
    updated        INTEGER NOT NULL,
    UNIQUE (account_pk, name)
);
-- end of section: api_keys

-- Server-wide settings that must survive restarts (server id, ...).
CREATE TABLE server_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Starting statistics for the query planner, describing the shape trove is
-- built for (many versions per project, ~100 per artifact, ~1000 per tag), so
-- that selective indexes drive filtered lists before the first real ANALYZE
-- (the writer refreshes them with PRAGMA optimize as the data grows).
ANALYZE sqlite_schema;
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('artifact_versions', 'artifact_versions_by_project_created', '1000000 100000 2 1'),
    ('artifact_versions', 'artifact_versions_by_artifact_created', '1000000 100 2 1'),
    ('artifact_versions', 'artifact_versions_by_artifact_number', '1000000 100 2'),
    ('artifact_versions', 'artifact_versions_by_user', '1000000 100000 2'),
    ('artifact_versions', 'artifact_versions_by_uri', '1000000 2'),
    ('artifact_versions', 'sqlite_autoindex_artifact_versions_1', '1000000 1'),
    ('artifact_versions', 'sqlite_autoindex_artifact_versions_2', '1000000 100 1'),
    ('artifact_version_tags', 'artifact_version_tags', '2000000 2 1'),
    ('artifact_version_tags', 'artifact_version_tags_by_tag', '2000000 1000 10 1 1'),
    ('artifacts', 'artifacts_by_name', '10000 2'),
    ('artifacts', 'sqlite_autoindex_artifacts_1', '10000 1'),
    ('artifacts', 'sqlite_autoindex_artifacts_2', '10000 1000 1'),
    ('tags', 'sqlite_autoindex_tags_1', '2000 1'),
    ('tags', 'sqlite_autoindex_tags_2', '2000 1'),
    ('run_metadata', 'run_metadata_by_version', '4000000 4 1'),
    ('visualizations', 'visualizations_by_version', '1000000 1 1');
