//! Stacks, stack components and their flavors. trove serves one `default`
//! stack made of a local orchestrator and a local artifact store; the client
//! imports `resources.flavor.body.source`, so those are real ZenML classes.

use super::{Entity, Id, Nothing, Ts};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A built-in flavor: (component type, flavor name, display name, source, fixed id).
pub struct Flavor {
    pub component_type: &'static str,
    pub name: &'static str,
    pub display_name: &'static str,
    pub source: &'static str,
    pub id: &'static str,
}

pub const FLAVORS: &[Flavor] = &[
    Flavor {
        component_type: "artifact_store",
        name: "local",
        display_name: "Local",
        source: "zenml.artifact_stores.local_artifact_store.LocalArtifactStoreFlavor",
        id: "7b5aede8934144e88384f5912e39baf8",
    },
    Flavor {
        component_type: "orchestrator",
        name: "local",
        display_name: "Local",
        source: "zenml.orchestrators.local.local_orchestrator.LocalOrchestratorFlavor",
        id: "0c6b3f4e5a2d4c1b9e8f7a6b5c4d3e2f",
    },
];

fn logo_url(component_type: &str, flavor: &str) -> String {
    format!("https://public-flavor-logos.s3.eu-central-1.amazonaws.com/{component_type}/{flavor}.svg")
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FlavorBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    #[serde(rename = "type")]
    pub component_type: String,
    pub display_name: String,
    pub integration: Option<String>,
    pub source: String,
    pub logo_url: Option<String>,
    pub is_custom: bool,
}

pub type FlavorResponse = Entity<FlavorBody, Nothing, Nothing>;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComponentBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    #[serde(rename = "type")]
    pub component_type: String,
    pub flavor_name: String,
    pub integration: Option<String>,
    pub logo_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComponentMetadata {
    #[schema(value_type = Object)]
    pub configuration: Value,
    #[schema(value_type = Object)]
    pub environment: Map<String, Value>,
    #[schema(value_type = Vec<Object>)]
    pub secrets: Vec<Value>,
    #[schema(value_type = Object, nullable)]
    pub labels: Option<Map<String, Value>>,
    pub connector_resource_id: Option<String>,
    #[schema(value_type = Object, nullable)]
    pub connector: Option<Value>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComponentResources {
    #[schema(value_type = Object, nullable)]
    pub user: Option<Value>,
    #[schema(inline)]
    pub flavor: FlavorResponse,
}

pub type ComponentResponse = Entity<ComponentBody, ComponentMetadata, ComponentResources>;

/// A stack-component row as loaded by the database layer.
#[derive(Debug, Clone)]
pub struct Component {
    pub id: Id,
    pub name: String,
    pub component_type: String,
    pub flavor: String,
    /// JSON text.
    pub configuration: String,
    pub created: Ts,
    pub updated: Ts,
}

impl Component {
    pub fn to_response(&self, hydrate: bool) -> ComponentResponse {
        let known = FLAVORS.iter().find(|f| f.component_type == self.component_type && f.name == self.flavor);
        let (flavor_id, display, source) = match known {
            Some(f) => (Id::parse(f.id).unwrap_or(Id::nil()), f.display_name, f.source),
            None => (Id::nil(), "Unknown", ""),
        };
        let logo = Some(logo_url(&self.component_type, &self.flavor));
        let flavor = Entity::named(
            flavor_id,
            self.flavor.clone(),
            FlavorBody {
                created: self.created,
                updated: self.updated,
                user_id: None,
                component_type: self.component_type.clone(),
                display_name: display.into(),
                integration: Some("built-in".into()),
                source: source.into(),
                logo_url: logo.clone(),
                is_custom: false,
            },
            None,
            None,
        );
        let body = ComponentBody {
            created: self.created,
            updated: self.updated,
            user_id: None,
            component_type: self.component_type.clone(),
            flavor_name: self.flavor.clone(),
            integration: Some("built-in".into()),
            logo_url: logo,
        };
        let metadata = hydrate.then(|| ComponentMetadata {
            configuration: serde_json::from_str(&self.configuration).unwrap_or_else(|_| Value::Object(Map::new())),
            environment: Map::new(),
            secrets: Vec::new(),
            labels: None,
            connector_resource_id: None,
            connector: None,
        });
        let resources = ComponentResources { user: None, flavor };
        Entity::named(self.id, self.name.clone(), body, metadata, Some(resources))
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StackBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StackMetadata {
    #[schema(inline)]
    pub components: BTreeMap<String, Vec<ComponentResponse>>,
    pub description: String,
    pub stack_spec_path: Option<String>,
    #[schema(value_type = Object)]
    pub environment: Map<String, Value>,
    #[schema(value_type = Vec<Object>)]
    pub secrets: Vec<Value>,
    #[schema(value_type = Object)]
    pub labels: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StackResources {
    #[schema(value_type = Object, nullable)]
    pub user: Option<Value>,
}

pub type StackResponse = Entity<StackBody, StackMetadata, StackResources>;

#[derive(Debug, Clone)]
pub struct Stack {
    pub pk: i64,
    pub id: Id,
    pub name: String,
    pub description: String,
    pub created: Ts,
    pub updated: Ts,
}

impl Stack {
    /// `components` is used only when hydrating.
    pub fn to_response(&self, components: Option<&[Component]>) -> StackResponse {
        let body = StackBody { created: self.created, updated: self.updated, user_id: None };
        let metadata = components.map(|cs| {
            let mut by_type: BTreeMap<String, Vec<ComponentResponse>> = BTreeMap::new();
            for c in cs {
                by_type.entry(c.component_type.clone()).or_default().push(c.to_response(false));
            }
            StackMetadata {
                components: by_type,
                description: self.description.clone(),
                stack_spec_path: None,
                environment: Map::new(),
                secrets: Vec::new(),
                labels: Map::new(),
            }
        });
        Entity::named(self.id, self.name.clone(), body, metadata, Some(StackResources { user: None }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavor_ids_are_uuids() {
        for f in FLAVORS {
            assert_eq!(Id::parse(f.id).map(|h| h.simple()), Some(f.id.to_string()), "{}", f.source);
        }
    }
}
