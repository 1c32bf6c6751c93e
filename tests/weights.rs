//! Weights load strictly: a missing, extra, mistyped or misshaped tensor is an error naming it.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::prelude::*;
use burnish::Error;
use burnish::weights::{load_mobilenet, metadata};
use safetensors::SafeTensors;
use safetensors::tensor::{Dtype, TensorView};

/// Re-serialises the real weights after `edit` changed the list of `(name, dtype, shape, bytes)`.
fn edited(edit: impl FnOnce(&mut Vec<(String, Dtype, Vec<usize>, Vec<u8>)>)) -> Vec<u8> {
    let bytes = common::weights_bytes();
    let file = SafeTensors::deserialize(&bytes).expect("valid");
    let mut tensors: Vec<_> = file
        .tensors()
        .into_iter()
        .map(|(n, v)| (n, v.dtype(), v.shape().to_vec(), v.data().to_vec()))
        .collect();
    edit(&mut tensors);
    let views: Vec<_> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).expect("view")))
        .collect();
    safetensors::serialize(views, Some(metadata(&bytes).expect("meta"))).expect("serialise")
}

fn load_err(bytes: &[u8]) -> Error {
    match load_mobilenet(bytes, &Device::flex()) {
        Ok(_) => panic!("loading should fail"),
        Err(e) => e,
    }
}

#[test]
fn metadata_records_graph_epsilon_and_source() {
    let meta = metadata(&common::weights_bytes()).expect("meta");
    assert_eq!(meta["bn_epsilon"].parse::<f64>().ok(), Some(1e-3));
    assert_eq!(meta["source_sha256"].len(), 64);
}

#[test]
fn converted_weights_store_large_kernels_as_int16_in_at_most_9_5_mb() {
    let bytes = common::weights_bytes();
    let file = SafeTensors::deserialize(&bytes).expect("valid");
    let mut float32_bytes = 0;
    for (name, view) in file.tensors() {
        if name.ends_with(":scale") {
            continue;
        }
        float32_bytes += 4 * view.shape().iter().product::<usize>();
        let expected = if burnish::weights::int16::is_int16(view.shape()) {
            Dtype::I16
        } else {
            Dtype::F32
        };
        assert_eq!(view.dtype(), expected, "{name}");
    }
    // The 3×3 kernels and the first three pointwise ones stay float32.
    for name in [
        "stem.conv.weight",
        "blocks.12.depthwise.conv.weight",
        "blocks.2.pointwise.conv.weight",
    ] {
        assert_eq!(file.tensor(name).expect(name).dtype(), Dtype::F32, "{name}");
    }
    for name in ["blocks.3.pointwise.conv.weight", "classifier.weight"] {
        assert_eq!(file.tensor(name).expect(name).dtype(), Dtype::I16, "{name}");
    }
    println!("{} bytes; as float32: {float32_bytes}", bytes.len());
    // 17.0 MB as float32; the small kernels, the vectors, the scales and the header stay
    // float32 / text.
    assert!(bytes.len() <= 9_500_000, "{} bytes", bytes.len());
}

#[test]
fn float32_weights_load_as_well() {
    let bytes = common::weights_bytes();
    let float32 = burnish::weights::int16::expand(&bytes).expect("expand");
    let file = SafeTensors::deserialize(&float32).expect("valid");
    assert!(file.tensors().iter().all(|(_, v)| v.dtype() == Dtype::F32));
    // 4.2 M weights, every one 4 bytes now.
    assert!(float32.len() > 16_900_000, "{}", float32.len());
    load_mobilenet(&float32, &Device::flex()).expect("float32 weights load");
}

#[test]
fn missing_tensor_is_named() {
    let bytes = edited(|t| t.retain(|(n, ..)| n != "blocks.12.pointwise.bn.running_var"));
    let err = load_err(&bytes);
    assert!(
        matches!(&err, Error::MissingTensor(n) if n == "blocks.12.pointwise.bn.running_var"),
        "{err}"
    );
}

#[test]
fn extra_tensor_is_named() {
    let bytes = edited(|t| t.push(("head.extra".into(), Dtype::F32, vec![2], vec![0; 8])));
    let err = load_err(&bytes);
    assert!(
        matches!(&err, Error::UnexpectedTensor(n) if n == "head.extra"),
        "{err}"
    );
}

#[test]
fn wrong_shape_is_named() {
    let bytes = edited(|t| {
        let bias = t
            .iter_mut()
            .find(|(n, ..)| n == "classifier.bias")
            .expect("bias");
        bias.2 = vec![1000];
        bias.3.truncate(4000);
    });
    let err = load_err(&bytes);
    assert!(err.to_string().contains("classifier.bias"), "{err}");
    assert!(err.to_string().contains("1000"), "{err}");
}

#[test]
fn wrong_dtype_is_named() {
    let bytes = edited(|t| {
        let beta = t
            .iter_mut()
            .find(|(n, ..)| n == "stem.bn.beta")
            .expect("beta");
        beta.1 = Dtype::F16;
        beta.3.truncate(beta.3.len() / 2);
    });
    assert!(load_err(&bytes).to_string().contains("stem.bn.beta"));
}

#[test]
fn truncated_and_garbage_bytes_are_refused() {
    let bytes = common::weights_bytes();
    assert!(matches!(
        load_err(&bytes[..bytes.len() / 2]),
        Error::WeightsFormat(_)
    ));
    assert!(matches!(
        load_err(b"not safetensors"),
        Error::WeightsFormat(_)
    ));
    assert!(matches!(load_err(&[]), Error::WeightsFormat(_)));
}

mod fuzz {
    use super::*;
    use burnish::train::TrainedModel;
    use proptest::prelude::*;

    thread_local! {
        static WEIGHTS: Vec<u8> = common::weights_bytes();
        static BASE: burnish::MobileNetV1 = common::imagenet_model(&Device::flex());
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64),
            ..ProptestConfig::default()
        })]

        /// Arbitrary bytes as base weights or as a trained model: an error, never a panic.
        #[test]
        fn random_bytes_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            prop_assert!(load_mobilenet(&bytes, &Device::flex()).is_err());
            let refused = BASE.with(|base| TrainedModel::from_safetensors(&bytes, base, "sha", &Device::flex()).is_err());
            prop_assert!(refused);
        }

        /// The real weights with bytes changed in the header (names, shapes, offsets, metadata)
        /// or truncated: loaded or refused, never a panic.
        #[test]
        fn damaged_weights_never_panic(
            flips in proptest::collection::vec((0usize..16_384, any::<u8>()), 1..8),
            cut in proptest::option::of(0usize..17_000_000),
        ) {
            let mut bytes = WEIGHTS.with(Clone::clone);
            for (at, value) in flips {
                bytes[at] ^= value.max(1);
            }
            if let Some(cut) = cut {
                bytes.truncate(cut);
            }
            let _ = load_mobilenet(&bytes, &Device::flex());
        }
    }
}
