//! Honest evaluation on held-out samples: per-class accuracy, confusion, mistakes.

use super::trained::argmax;
use serde::Serialize;

/// A held-out sample the model got wrong.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Misclassified {
    /// Sample id.
    pub id: u64,
    /// Its true class.
    pub label: usize,
    /// The predicted class.
    pub predicted: usize,
    /// Probability of the predicted class.
    pub prob: f32,
}

/// Evaluation of a trained model on labelled samples.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Samples evaluated.
    pub samples: usize,
    /// Overall accuracy (`None` without samples).
    pub accuracy: Option<f32>,
    /// Accuracy per class (`None` for a class without evaluated samples).
    pub per_class_accuracy: Vec<Option<f32>>,
    /// `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
    /// The mistakes, most confident first.
    pub misclassified: Vec<Misclassified>,
    /// Samples added since the model was trained: neither trained on nor held out, so not
    /// counted here (train again to use them).
    pub new_since_training: usize,
}

impl Evaluation {
    /// Builds the evaluation from `(id, label, probabilities)` rows.
    pub fn from_predictions(classes: usize, rows: &[(u64, usize, Vec<f32>)]) -> Self {
        let mut confusion = vec![vec![0; classes]; classes];
        let mut misclassified = Vec::new();
        for (id, label, probs) in rows {
            let (predicted, prob) = argmax(probs);
            confusion[*label][predicted] += 1;
            if predicted != *label {
                misclassified.push(Misclassified {
                    id: *id,
                    label: *label,
                    predicted,
                    prob,
                });
            }
        }
        misclassified.sort_by(|a, b| b.prob.total_cmp(&a.prob));
        let per_class_accuracy = confusion
            .iter()
            .enumerate()
            .map(|(c, row)| {
                let total: usize = row.iter().sum();
                (total > 0).then(|| row[c] as f32 / total as f32)
            })
            .collect();
        let correct = rows.len() - misclassified.len();
        Evaluation {
            samples: rows.len(),
            accuracy: (!rows.is_empty()).then(|| correct as f32 / rows.len() as f32),
            per_class_accuracy,
            confusion,
            misclassified,
            new_since_training: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_and_accuracy() {
        let rows = vec![
            (1, 0, vec![0.9, 0.1]),
            (2, 0, vec![0.2, 0.8]),
            (3, 1, vec![0.3, 0.7]),
        ];
        let eval = Evaluation::from_predictions(2, &rows);
        assert_eq!(eval.confusion, vec![vec![1, 1], vec![0, 1]]);
        assert_eq!(eval.per_class_accuracy, vec![Some(0.5), Some(1.0)]);
        assert_eq!(eval.misclassified.len(), 1);
        assert_eq!(eval.misclassified[0].id, 2);
        assert!((eval.accuracy.unwrap_or(0.0) - 2.0 / 3.0).abs() < 1e-6);
    }
}
