//! Where one training step of a fine-tuned block goes on Flex: forward and backward of MobileNet's
//! last block (`[16, 1024, 7, 7]`) split into its depthwise and pointwise convolutions, and the
//! pointwise one as a matrix product. Prints the best of five runs per variant, in milliseconds.
//!
//! `cargo run --release --example tail_step`

use burn::nn::conv::Conv2dConfig;
use burn::prelude::*;
use burn::tensor::Distribution;
use std::time::Instant;

const RUNS: usize = 5;

fn best_ms(mut f: impl FnMut()) -> f64 {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let device = Device::flex();
    let ad = device.clone().autodiff();
    let x = Tensor::<4>::random([16, 1024, 7, 7], Distribution::Normal(0.0, 1.0), &device);
    let depthwise = Conv2dConfig::new([1024, 1024], [3, 3])
        .with_groups(1024)
        .with_padding(burn::nn::PaddingConfig2d::Same)
        .init(&ad);
    let pointwise = Conv2dConfig::new([1024, 1024], [1, 1]).init(&ad);
    let xa = x.clone().autodiff();
    let read = |t: Tensor<4>| {
        pollster::block_on(burnish::infer::read_values(t.sum())).expect("read");
    };
    println!(
        "depthwise fwd {:.1} ms",
        best_ms(|| read(depthwise.forward(xa.clone()).without_autodiff()))
    );
    println!(
        "pointwise fwd {:.1} ms",
        best_ms(|| read(pointwise.forward(xa.clone()).without_autodiff()))
    );
    println!(
        "depthwise fwd+bwd {:.1} ms",
        best_ms(|| {
            let g = depthwise.forward(xa.clone()).sum().backward();
            drop(g);
        })
    );
    println!(
        "pointwise fwd+bwd {:.1} ms",
        best_ms(|| {
            let g = pointwise.forward(xa.clone()).sum().backward();
            drop(g);
        })
    );
    let w = Tensor::<2>::random([1024, 1024], Distribution::Normal(0.0, 0.03), &ad).require_grad();
    let wp = w.clone().without_autodiff();
    println!(
        "pointwise as matmul fwd {:.1} ms",
        best_ms(|| {
            let rows = x.clone().permute([0, 2, 3, 1]).reshape([16 * 49, 1024]);
            let y = rows
                .matmul(wp.clone())
                .reshape([16, 7, 7, 1024])
                .permute([0, 3, 1, 2]);
            read(y);
        })
    );
    println!(
        "pointwise as matmul fwd+bwd {:.1} ms",
        best_ms(|| {
            let rows = xa.clone().permute([0, 2, 3, 1]).reshape([16 * 49, 1024]);
            let y = rows.matmul(w.clone());
            let g = y.sum().backward();
            drop(g);
        })
    );
}
