//! The `schemars` feature: `arize_api::types` and the SDK's value types
//! implement `schemars::JsonSchema`, and the schemas describe their JSON
//! (required fields, `date-time` timestamps, transparent string IDs, the
//! flattened `resource_type`/`resource_id` pair).
//!
//! This crate turns on `arize-role-bindings/schemars` (which forwards
//! `arize-api/schemars`) in its dev-dependencies.

use serde_json::{Value, json};

fn schema<T: schemars::JsonSchema>() -> Value {
    schemars::schema_for!(T).to_value()
}

/// The sorted `required` list of an object schema.
fn required(schema: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = schema["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    names.sort_unstable();
    names
}

#[test]
fn generated_role_binding_schema_requires_every_field_and_types_timestamps() {
    let schema = schema::<arize_api::types::RoleBinding>();
    assert_eq!(schema["type"], "object", "{schema:#}");
    assert_eq!(
        required(&schema),
        [
            "created_at",
            "id",
            "resource_id",
            "resource_type",
            "role_id",
            "updated_at",
            "user_id"
        ],
        "{schema:#}"
    );
    let properties = &schema["properties"];
    for timestamp in ["created_at", "updated_at"] {
        assert_eq!(properties[timestamp]["type"], "string", "{schema:#}");
        assert_eq!(properties[timestamp]["format"], "date-time", "{schema:#}");
    }
    // IDs are `#[serde(transparent)]` strings, not objects or arrays.
    assert_eq!(properties["id"]["$ref"], "#/$defs/Id", "{schema:#}");
    assert_eq!(schema["$defs"]["Id"]["type"], "string", "{schema:#}");
    let resource_type = &schema["$defs"]["RoleBindingResourceType"];
    assert_eq!(
        resource_type["enum"],
        json!(["SPACE", "PROJECT"]),
        "{schema:#}"
    );
}

#[test]
fn generated_user_schema_tags_the_role_and_lists_statuses() {
    let schema = schema::<arize_api::types::User>();
    assert_eq!(
        required(&schema),
        [
            "created_at",
            "email",
            "id",
            "is_developer",
            "name",
            "role",
            "status"
        ],
        "{schema:#}"
    );
    assert_eq!(schema["properties"]["created_at"]["format"], "date-time");
    assert_eq!(
        schema["$defs"]["UserStatus"]["enum"],
        json!(["ACTIVE", "INVITED", "EXPIRED"]),
        "{schema:#}"
    );
    // `#[serde(tag = "type")]`: one object per variant, each requiring `type`.
    let variants = schema["$defs"]["UserRoleAssignment"]["oneOf"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(variants.len(), 2, "{schema:#}");
    for variant in &variants {
        assert!(required(variant).contains(&"type"), "{schema:#}");
    }
}

#[test]
fn generated_constrained_string_is_a_string() {
    // `ListUsersEmail` has a hand-written `Deserialize` (typify's length
    // check) but is `#[serde(transparent)]` over a `String`.
    let schema = schema::<arize_api::types::ListUsersEmail>();
    assert_eq!(schema["type"], "string", "{schema:#}");
}

#[test]
fn sdk_grant_schema_matches_its_serialised_keys() {
    use arize_role_bindings::{Grant, Resource, RoleId, SpaceId, UserId};

    let schema = schema::<Grant>();
    let grant = Grant::new(
        UserId::new("VXNlcjo0MjphQmNE"),
        RoleId::new("Um9sZToxOmFCY0Q="),
        Resource::Space(SpaceId::new("U3BhY2U6MTpWNEth")),
    );
    let value = serde_json::to_value(&grant).unwrap_or_default();
    let text = schema.to_string();
    let keys: Vec<&String> = value
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys.len(), 4, "{value}");
    for key in keys {
        assert!(
            text.contains(&format!("\"{key}\"")),
            "{key} not in {schema:#}"
        );
    }
    assert!(required(&schema).contains(&"user_id"), "{schema:#}");
    assert!(required(&schema).contains(&"role_id"), "{schema:#}");
}

#[test]
fn sdk_role_binding_schema_flattens_the_resource() {
    let schema = schema::<arize_role_bindings::RoleBinding>();
    let properties = &schema["properties"];
    assert!(properties.get("resource").is_none(), "{schema:#}");
    assert_eq!(
        properties["created_at"]["format"], "date-time",
        "{schema:#}"
    );
    for id in ["id", "role_id", "user_id"] {
        assert!(required(&schema).contains(&id), "{id}: {schema:#}");
    }
    let text = schema.to_string();
    for key in [
        "\"resource_type\"",
        "\"resource_id\"",
        "\"SPACE\"",
        "\"PROJECT\"",
    ] {
        assert!(text.contains(key), "{key} not in {schema:#}");
    }
}
