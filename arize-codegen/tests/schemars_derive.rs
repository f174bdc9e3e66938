//! `add_schemars_derive`: which items get the feature-gated derive, and
//! where it goes.

use arize_codegen::{SCHEMARS_FEATURE, add_schemars_derive, generate, load_spec};

const CFG_ATTR: &str = r#"#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]"#;

#[test]
fn only_serde_types_of_the_types_module_get_it_right_after_their_derive() {
    let mut file: syn::File = syn::parse_quote! {
        pub mod types {
            #[derive(::serde::Serialize, Clone)]
            #[serde(transparent)]
            pub struct Wrapped(String);
            #[derive(Clone, Copy)]
            pub enum NotSerde { A }
            pub mod error {
                #[derive(Debug)]
                pub struct ConversionError;
            }
        }
        #[derive(::serde::Serialize)]
        pub struct OutsideTypes;
    };
    assert_eq!(add_schemars_derive(&mut file), ["Wrapped"]);
    let text = prettyplease::unparse(&file);
    let derive = text.find("#[derive(::serde::Serialize, Clone)]");
    let cfg = text.find(CFG_ATTR);
    let serde = text.find("#[serde(transparent)]");
    assert!(derive < cfg && cfg < serde, "{text}");
    assert_eq!(text.matches(CFG_ATTR).count(), 1, "{text}");
    assert_eq!(SCHEMARS_FEATURE, "schemars");
}

#[test]
fn every_generated_type_gets_it() {
    let spec_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let generated = generate(&load_spec(&spec_path).unwrap_or_default()).map(|g| g.client);
    let client = generated.unwrap_or_default();
    let types = client.split("pub mod types {").nth(1).unwrap_or_default();
    let serde_types = types.matches("::serde::Serialize").count();
    assert!(serde_types >= 20, "{types}");
    assert_eq!(types.matches(CFG_ATTR).count(), serde_types, "{types}");
}
