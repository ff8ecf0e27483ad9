//! The Numenta Anomaly Benchmark's scoring (standard profile), so detector
//! results can be compared with published NAB scores.
//!
//! Per file: points inside a labelled window score by a scaled sigmoid of their
//! position (earliest detection ≈ +1); only the best detection of a window
//! counts; a window without detection costs `A_FN`; detections outside windows
//! cost `A_FP` times a sigmoid of their distance past the previous window (-1
//! when no window precedes). The first 15 % of each file (at most 750 rows) is
//! probationary and not scored. One threshold serves the whole corpus, chosen
//! to maximise the total, which is normalised so that flagging nothing scores 0
//! and a perfect detector 100.

use std::collections::HashMap;

/// NAB's standard application profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostProfile {
    pub true_positive: f64,
    pub false_positive: f64,
    pub false_negative: f64,
}

pub const STANDARD_PROFILE: CostProfile = CostProfile {
    true_positive: 1.0,
    false_positive: 0.11,
    false_negative: 1.0,
};
const PROBATIONARY_PERCENT: f64 = 0.15;

/// One data file: anomaly scores per row and the labelled windows as inclusive row ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredFile {
    pub name: String,
    pub scores: Vec<f64>,
    pub windows: Vec<(usize, usize)>,
}

/// NAB's scaled sigmoid: +0.987 at the start of a window, 0 at its end, towards -1 after it.
pub fn scaled_sigmoid(relative_position: f64) -> f64 {
    if relative_position > 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * relative_position).exp()) - 1.0
    }
}

pub fn probationary_length(rows: usize) -> usize {
    ((PROBATIONARY_PERCENT * rows as f64).floor()).min(PROBATIONARY_PERCENT * 5000.0) as usize
}

/// The weighted score a detection at each row would earn, and the window it belongs to.
fn row_weights(file: &ScoredFile, profile: &CostProfile) -> Vec<(f64, Option<usize>)> {
    let max_true_positive = scaled_sigmoid(-1.0);
    let mut weights = Vec::with_capacity(file.scores.len());
    let mut previous_window: Option<(usize, usize)> = None;
    for row in 0..file.scores.len() {
        let inside = file
            .windows
            .iter()
            .position(|&(start, end)| row >= start && row <= end);
        let weight = match inside {
            Some(index) => {
                let (start, end) = file.windows[index];
                let width = (end - start + 1) as f64;
                let position = -((end - row + 1) as f64) / width;
                scaled_sigmoid(position) * profile.true_positive / max_true_positive
            }
            None => {
                if let Some(&(start, end)) = file.windows.iter().rev().find(|w| w.1 < row) {
                    previous_window = Some((start, end));
                }
                let unweighted = match previous_window {
                    None => -1.0,
                    Some((start, end)) => {
                        let width = (end - start + 1) as f64;
                        scaled_sigmoid((row - end) as f64 / (width - 1.0).max(1.0))
                    }
                };
                unweighted * profile.false_positive
            }
        };
        weights.push((weight, inside));
    }
    weights
}

/// The corpus result at the best threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusScore {
    pub threshold: f64,
    pub raw: f64,
    pub normalized: f64,
    pub detected_windows: usize,
    pub windows: usize,
    pub false_positives: usize,
    /// Normalised score of each file at the corpus threshold.
    pub per_file: Vec<(String, f64)>,
}

/// Sweeps every distinct score as the threshold and keeps the best total.
pub fn score_corpus(files: &[ScoredFile], profile: &CostProfile) -> CorpusScore {
    // (score, file, row, weight, window)
    let mut detections: Vec<(f64, usize, usize, f64, Option<usize>)> = Vec::new();
    let mut windows_total = 0;
    for (file_index, file) in files.iter().enumerate() {
        windows_total += file.windows.len();
        let probation = probationary_length(file.scores.len());
        for (row, (weight, window)) in row_weights(file, profile).into_iter().enumerate() {
            if row >= probation && file.scores[row].is_finite() {
                detections.push((file.scores[row], file_index, row, weight, window));
            }
        }
    }
    detections.sort_by(|a, b| b.0.total_cmp(&a.0));
    let null = -profile.false_negative * windows_total as f64;
    let perfect = profile.true_positive * windows_total as f64;
    let mut best_in_window: HashMap<(usize, usize), f64> = HashMap::new();
    let mut total = null;
    let mut best = (f64::INFINITY, null, 0usize, 0usize, 0usize); // threshold, raw, index, detected, fps
    let mut false_positives = 0;
    let mut index = 0;
    while index < detections.len() {
        let threshold = detections[index].0;
        while index < detections.len() && detections[index].0 == threshold {
            let (_, file, _, weight, window) = detections[index];
            match window {
                Some(window) => {
                    let current = best_in_window
                        .entry((file, window))
                        .or_insert(-profile.false_negative);
                    if weight > *current {
                        total += weight - *current;
                        *current = weight;
                    }
                }
                None => {
                    total += weight;
                    false_positives += 1;
                }
            }
            index += 1;
        }
        if total > best.1 {
            best = (
                threshold,
                total,
                index,
                best_in_window.len(),
                false_positives,
            );
        }
    }
    let normalize = |raw: f64, null: f64, perfect: f64| {
        if perfect > null {
            100.0 * (raw - null) / (perfect - null)
        } else {
            0.0
        }
    };
    let per_file = files
        .iter()
        .map(|file| {
            let single = score_file_at(file, profile, best.0);
            let windows = file.windows.len() as f64;
            (
                file.name.clone(),
                normalize(
                    single,
                    -profile.false_negative * windows,
                    profile.true_positive * windows,
                ),
            )
        })
        .collect();
    CorpusScore {
        threshold: best.0,
        raw: best.1,
        normalized: normalize(best.1, null, perfect),
        detected_windows: best.3,
        windows: windows_total,
        false_positives: best.4,
        per_file,
    }
}

/// Raw score of one file with a fixed threshold.
pub fn score_file_at(file: &ScoredFile, profile: &CostProfile, threshold: f64) -> f64 {
    let probation = probationary_length(file.scores.len());
    let mut best_in_window = vec![-profile.false_negative; file.windows.len()];
    let mut total = 0.0;
    for (row, (weight, window)) in row_weights(file, profile).into_iter().enumerate() {
        if row < probation || file.scores[row].is_nan() || file.scores[row] < threshold {
            continue;
        }
        match window {
            Some(w) => best_in_window[w] = best_in_window[w].max(weight),
            None => total += weight,
        }
    }
    total + best_in_window.iter().sum::<f64>()
}

/// A set of files scored at one fixed threshold (a held-out fold): the raw
/// total and what flagging nothing and a perfect detector would have earned.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FixedThresholdScore {
    pub raw: f64,
    pub null: f64,
    pub perfect: f64,
    pub windows: usize,
    pub detected_windows: usize,
    pub false_positives: usize,
}

impl FixedThresholdScore {
    /// NAB's normalisation (nothing flagged 0, perfect 100); `None` without windows,
    /// where only the false positives' cost (`raw`) says anything.
    pub fn normalized(&self) -> Option<f64> {
        (self.perfect > self.null)
            .then(|| 100.0 * (self.raw - self.null) / (self.perfect - self.null))
    }

    /// Two disjoint sets scored together (the pooled cross-validation figure).
    pub fn plus(self, other: Self) -> Self {
        Self {
            raw: self.raw + other.raw,
            null: self.null + other.null,
            perfect: self.perfect + other.perfect,
            windows: self.windows + other.windows,
            detected_windows: self.detected_windows + other.detected_windows,
            false_positives: self.false_positives + other.false_positives,
        }
    }
}

/// Scores `files` at a threshold chosen elsewhere (on other files), as a
/// held-out fold is scored.
pub fn score_files_at(
    files: &[ScoredFile],
    profile: &CostProfile,
    threshold: f64,
) -> FixedThresholdScore {
    let mut total = FixedThresholdScore::default();
    for file in files {
        let windows = file.windows.len();
        let probation = probationary_length(file.scores.len());
        let mut detected = vec![false; windows];
        let false_positives = (probation..file.scores.len())
            .filter(|&row| file.scores[row] >= threshold)
            .filter(
                |&row| match file.windows.iter().position(|&(a, b)| row >= a && row <= b) {
                    Some(window) => {
                        detected[window] = true;
                        false
                    }
                    None => true,
                },
            )
            .count();
        total = total.plus(FixedThresholdScore {
            raw: score_file_at(file, profile, threshold),
            null: -profile.false_negative * windows as f64,
            perfect: profile.true_positive * windows as f64,
            windows,
            detected_windows: detected.iter().filter(|d| **d).count(),
            false_positives,
        });
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(scores: Vec<f64>, windows: Vec<(usize, usize)>) -> ScoredFile {
        ScoredFile {
            name: "f".into(),
            scores,
            windows,
        }
    }

    #[test]
    fn sigmoid_matches_nab() {
        assert!((scaled_sigmoid(-1.0) - 0.986_614_298_151_430_3).abs() < 1e-12);
        assert_eq!(scaled_sigmoid(0.0), 0.0);
        assert_eq!(scaled_sigmoid(3.5), -1.0);
        assert_eq!(probationary_length(1000), 150);
        assert_eq!(probationary_length(10_000), 750);
    }

    #[test]
    fn flagging_nothing_scores_zero_and_a_perfect_detector_one_hundred() {
        let windows = vec![(400, 449), (700, 749)];
        let nothing = file(vec![0.0; 1000], windows.clone());
        assert_eq!(score_corpus(&[nothing], &STANDARD_PROFILE).normalized, 0.0);
        let mut scores = vec![0.0; 1000];
        scores[400] = 1.0;
        scores[700] = 1.0;
        let perfect = score_corpus(&[file(scores, windows)], &STANDARD_PROFILE);
        assert!((perfect.normalized - 100.0).abs() < 1e-9, "{perfect:?}");
        assert_eq!(perfect.detected_windows, 2);
    }

    #[test]
    fn late_detections_earn_less_and_false_positives_cost() {
        let windows = vec![(400, 449)];
        let mut late = vec![0.0; 1000];
        late[440] = 1.0;
        let late_score = score_corpus(&[file(late, windows.clone())], &STANDARD_PROFILE).normalized;
        assert!(late_score > 50.0 && late_score < 95.0, "{late_score}");
        let mut noisy = vec![0.0; 1000];
        noisy[400] = 1.0;
        for row in (200..390).step_by(10) {
            noisy[row] = 1.0;
        }
        let noisy_score = score_corpus(&[file(noisy, windows)], &STANDARD_PROFILE);
        assert!(noisy_score.normalized < 100.0);
        // The sweep may pick a threshold above the noise when the noise costs more than it gains.
        assert!(noisy_score.normalized >= 0.0);
    }

    #[test]
    fn a_fixed_threshold_scores_like_the_corpus_sweep_at_its_own_best() {
        let mut scores = vec![0.0; 1000];
        scores[405] = 0.9;
        scores[300] = 0.95; // a false positive above the detection
        scores[200] = 0.5;
        let files = [file(scores, vec![(400, 449)])];
        let swept = score_corpus(&files, &STANDARD_PROFILE);
        let fixed = score_files_at(&files, &STANDARD_PROFILE, swept.threshold);
        assert!((fixed.normalized().unwrap() - swept.normalized).abs() < 1e-9);
        assert_eq!((fixed.detected_windows, fixed.false_positives), (1, 1));
        let strict = score_files_at(&files, &STANDARD_PROFILE, 0.99);
        assert_eq!(strict.normalized(), Some(0.0));
        let lenient = score_files_at(&files, &STANDARD_PROFILE, 0.1);
        assert_eq!(lenient.false_positives, 2);
        let no_windows = score_files_at(&[file(vec![1.0; 1000], vec![])], &STANDARD_PROFILE, 0.5);
        assert_eq!(no_windows.normalized(), None);
        assert_eq!(no_windows.false_positives, 850);
        assert!((no_windows.raw + 0.11 * 850.0).abs() < 1e-9);
    }

    #[test]
    fn probationary_detections_are_ignored() {
        let mut scores = vec![0.0; 1000];
        scores[10] = 1.0; // in the first 15 %
        let result = score_corpus(&[file(scores, vec![(500, 520)])], &STANDARD_PROFILE);
        assert_eq!(result.false_positives, 0);
    }
}
