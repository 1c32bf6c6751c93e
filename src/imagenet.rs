//! The 1000 ImageNet-1k class names, and the graph's 1001-output indexing.
//!
//! `imagenet_classes.txt` is Debian `opencv-doc`'s
//! `examples/data/dnn/classification_classes_ILSVRC2012.txt` (one name per line, index 0–999).

/// Class names, one per line, in ImageNet-1k index order.
const CLASSES: &str = include_str!("imagenet_classes.txt");

/// Number of ImageNet-1k classes.
pub const IMAGENET_CLASS_COUNT: usize = 1000;

/// The TF-slim graph's output 0 is "background"; output `i` is ImageNet class `i - 1`.
pub const GRAPH_BACKGROUND_OFFSET: usize = 1;

/// All class names, index 0–999.
pub fn class_names() -> Vec<String> {
    CLASSES.lines().map(str::to_owned).collect()
}

/// The name of ImageNet-1k class `index` (0–999).
pub fn class_name(index: usize) -> Option<&'static str> {
    CLASSES.lines().nth(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_class() {
        assert_eq!(class_names().len(), IMAGENET_CLASS_COUNT);
        assert_eq!(class_name(281), Some("tabby, tabby cat"));
        assert_eq!(class_name(1000), None);
    }
}
