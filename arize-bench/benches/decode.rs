//! Decoding one 100-binding page: into the generated wire types (what the
//! generated client and the facade's transport do), the same plus the
//! conversion into the facade's `RoleBinding`s, straight into the facade's
//! `Page`, and into the raw baseline's plain structs.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use arize_api::types::ListRoleBindingsResponse;
use arize_bench::raw::RawPage;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn page_json(n: usize) -> Vec<u8> {
    let bindings: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("Um9sZUJpbmRpbmc6{i:06}OmFCY0Q="),
                "role_id": "Um9sZToxOmFCY0Q=",
                "user_id": format!("VXNlcjo{i:04}MjphQmNE"),
                "resource_type": "SPACE",
                "resource_id": "U3BhY2U6MTpWNEth",
                "created_at": "2024-06-01T10:00:00.123Z",
                "updated_at": "2024-06-01T10:00:00.123Z",
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "role_bindings": bindings,
        "pagination": {"has_more": true, "next_cursor": "Y3Vyc29yOjEwMA"},
    }))
    .unwrap()
}

fn decode(c: &mut Criterion) {
    let body = page_json(100);
    let mut group = c.benchmark_group("decode_page_100");
    group.throughput(Throughput::Elements(100));
    group.bench_function("raw_structs", |b| {
        b.iter(|| black_box(serde_json::from_slice::<RawPage>(black_box(&body)).unwrap()))
    });
    group.bench_function("generated_types", |b| {
        b.iter(|| {
            black_box(serde_json::from_slice::<ListRoleBindingsResponse>(black_box(&body)).unwrap())
        })
    });
    group.bench_function("generated_then_facade_bindings", |b| {
        b.iter(|| {
            let wire =
                serde_json::from_slice::<ListRoleBindingsResponse>(black_box(&body)).unwrap();
            let bindings: Vec<arize_role_bindings::RoleBinding> =
                wire.role_bindings.into_iter().map(Into::into).collect();
            black_box(bindings)
        })
    });
    group.bench_function("facade_page_direct", |b| {
        b.iter(|| {
            black_box(
                serde_json::from_slice::<arize_role_bindings::Page>(black_box(&body)).unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
