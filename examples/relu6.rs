//! ReLU6 on Flex, three ways, on one MobileNet-sized activation (`[4, 64, 112, 112]`): the
//! measurement behind `ConvBnRelu6::forward`'s `relu(x).clamp_max(6)`. Prints the best of five
//! runs per variant, in nanoseconds per element.
//!
//! `cargo run --release --example relu6`

use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::relu;
use std::time::Instant;

const SHAPE: [usize; 4] = [4, 64, 112, 112];
const RUNS: usize = 5;

/// One way of computing ReLU6.
type Relu6 = fn(Tensor<4>) -> Tensor<4>;

fn main() {
    let device = Device::flex();
    let x = Tensor::<4>::random(SHAPE, Distribution::Normal(0.0, 3.0), &device);
    let elements = SHAPE.iter().product::<usize>() as f64;
    let variants: [(&str, Relu6); 3] = [
        ("clamp(0, 6)", |x| x.clamp(0.0, 6.0)),
        ("relu, clamp_max(6)", |x| relu(x).clamp_max(6.0)),
        ("clamp_min(0), clamp_max(6)", |x| {
            x.clamp_min(0.0).clamp_max(6.0)
        }),
    ];
    for (name, relu6) in variants {
        let best = (0..RUNS)
            .map(|_| {
                // A fresh, uniquely owned tensor, as a convolution's output is: ops run in place.
                let input = x.clone() + 0.0;
                let start = Instant::now();
                let out = relu6(input);
                let seconds = start.elapsed().as_secs_f64();
                drop(out);
                seconds
            })
            .fold(f64::INFINITY, f64::min);
        println!("{name:28} {:.2} ns/element", best * 1e9 / elements);
    }
}
