//! Decimal text to `f64`, correctly rounded, in little code.
//!
//! `str::parse::<f64>` is exact and fast but brings a 5 KB table of powers of
//! five and its fallback decimal arithmetic into the browser build (6 KB
//! gzip). This reads the same syntax to the same values with three paths:
//!
//! - up to 15 digits and an exponent within ±22: one floating-point
//!   multiplication or division of two exact doubles;
//! - up to 19 significant digits and a decimal exponent within ±27 (every
//!   sample value Prometheus writes, which has at most 17 digits): exact
//!   integer arithmetic in 128 bits, one correctly rounded step;
//! - anything else: a first estimate, then corrected one unit in the last
//!   place at a time by comparing the exact decimal value with the halfway
//!   points between neighbouring doubles in big-integer arithmetic.

use std::cmp::Ordering;

/// Parses what `str::parse::<f64>` parses (sign, digits with an optional
/// point, an optional exponent, `inf`, `infinity`, `nan` in any case), to the
/// same value.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = match parse_special(unsigned) {
        Some(special) => special,
        None => parse_decimal(unsigned.as_bytes())?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn parse_special(text: &str) -> Option<f64> {
    if text.eq_ignore_ascii_case("inf") || text.eq_ignore_ascii_case("infinity") {
        Some(f64::INFINITY)
    } else if text.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else {
        None
    }
}

/// Significant digits kept exactly (see `parse_decimal`).
const MAX_DIGITS: usize = 800;

/// The digits of a decimal number: `digits` × 10^`exponent`.
struct Decimal {
    /// Significant digits, without leading or trailing zeros.
    digits: Vec<u8>,
    exponent: i64,
}

fn parse_decimal(bytes: &[u8]) -> Option<f64> {
    // One pass reads the syntax and the first 19 significant digits.
    let mut mantissa: u64 = 0;
    let mut significant = 0usize;
    let mut exponent: i64 = 0;
    let mut seen_digit = false;
    let mut in_fraction = false;
    let mut position = 0;
    while let Some(&byte) = bytes.get(position) {
        match byte {
            b'0'..=b'9' => {
                seen_digit = true;
                if significant > 0 || byte != b'0' {
                    if significant < 19 {
                        mantissa = mantissa * 10 + u64::from(byte - b'0');
                    }
                    significant += 1;
                }
                if in_fraction {
                    exponent -= 1;
                }
            }
            b'.' if !in_fraction => in_fraction = true,
            _ => break,
        }
        position += 1;
    }
    if !seen_digit {
        return None;
    }
    let digits_end = position;
    if let Some(&(b'e' | b'E')) = bytes.get(position) {
        position += 1;
        let negative = match bytes.get(position) {
            Some(b'-') => {
                position += 1;
                true
            }
            Some(b'+') => {
                position += 1;
                false
            }
            _ => false,
        };
        let start = position;
        let mut written: i64 = 0;
        while let Some(&byte @ b'0'..=b'9') = bytes.get(position) {
            // Past this, every value is 0 or infinite anyway.
            written = (written * 10 + i64::from(byte - b'0')).min(1 << 40);
            position += 1;
        }
        if position == start {
            return None;
        }
        exponent += if negative { -written } else { written };
    }
    if position != bytes.len() {
        return None;
    }
    if significant == 0 {
        return Some(0.0);
    }
    // Both factors exact doubles: one correctly rounded operation.
    if significant <= 15 && exponent.abs() <= 22 {
        let scale = 10f64.powi(exponent.unsigned_abs() as i32);
        let mantissa = mantissa as f64;
        return Some(if exponent < 0 {
            mantissa / scale
        } else {
            mantissa * scale
        });
    }
    if significant <= 19 && exponent.abs() <= 27 {
        return Some(exact_in_128_bits(mantissa, exponent as i32));
    }
    // Rare: more digits or a far exponent. Collect every digit.
    let mut digits: Vec<u8> = bytes[..digits_end]
        .iter()
        .filter(|byte| byte.is_ascii_digit())
        .map(|byte| byte - b'0')
        .skip_while(|digit| *digit == 0)
        .collect();
    while digits.last() == Some(&0) {
        digits.pop();
        exponent += 1;
    }
    // A halfway point between two doubles has at most 767 significant digits,
    // so digits past 800 only tell "a little more than written": one 1 says the
    // same and keeps the arithmetic small (a link of zeros cannot stall the page).
    if digits.len() > MAX_DIGITS {
        exponent += (digits.len() - MAX_DIGITS - 1) as i64;
        digits.truncate(MAX_DIGITS);
        digits.push(1);
    }
    Some(corrected(&Decimal { digits, exponent }))
}

/// 5^0 ..= 5^27, all below 2^63.
fn power_of_five(exponent: u32) -> u64 {
    5u64.pow(exponent)
}

/// `mantissa` × 2^`exponent`, exact for the ranges used here.
fn times_power_of_two(mantissa: f64, exponent: i32) -> f64 {
    // Two steps keep each factor a normal double.
    let half = exponent / 2;
    mantissa * power_of_two(half) * power_of_two(exponent - half)
}

fn power_of_two(exponent: i32) -> f64 {
    f64::from_bits(((1023 + exponent) as u64) << 52)
}

/// Up to 19 digits and an exponent within ±27: the value is `mantissa` ×
/// 5^e × 2^e with `mantissa` × 5^e (or `mantissa` / 5^-e) computed exactly in
/// 128 bits, then rounded once.
fn exact_in_128_bits(mantissa: u64, exponent: i32) -> f64 {
    if exponent >= 0 {
        // Exact product; `as f64` rounds to nearest, ties to even.
        let product = u128::from(mantissa) * u128::from(power_of_five(exponent as u32));
        return times_power_of_two(product as f64, exponent);
    }
    let divisor = u128::from(power_of_five(exponent.unsigned_abs()));
    // Shift the mantissa to the top so the quotient keeps at least 64 bits.
    let shift = mantissa.leading_zeros() + 64;
    let numerator = u128::from(mantissa) << shift;
    let quotient = numerator / divisor;
    let inexact = !numerator.is_multiple_of(divisor);
    let width = 128 - quotient.leading_zeros();
    let dropped = width - 53;
    let mut kept = (quotient >> dropped) as u64;
    let rest = quotient & ((1u128 << dropped) - 1);
    let half = 1u128 << (dropped - 1);
    if rest > half || (rest == half && (inexact || kept & 1 == 1)) {
        kept += 1;
    }
    times_power_of_two(kept as f64, dropped as i32 - shift as i32 + exponent)
}

/// Any other number: an estimate, moved one step at a time to the double
/// nearest the exact value (ties to the even one).
fn corrected(decimal: &Decimal) -> f64 {
    let magnitude = decimal.digits.len() as i64 + decimal.exponent;
    if magnitude > 310 {
        return f64::INFINITY;
    }
    if magnitude < -330 {
        return 0.0;
    }
    let exact = BigDecimal::new(decimal);
    let mut candidate = estimate(decimal);
    // Each step moves one unit in the last place; the estimate is a few away.
    for _ in 0..4096 {
        // Moved past the largest double: the value rounds to infinity.
        if candidate.is_infinite() {
            return candidate;
        }
        let above = next_up(candidate);
        let against_upper = exact.compare_with_midpoint(candidate, above);
        if against_upper == Ordering::Greater {
            candidate = above;
            continue;
        }
        let below = next_down(candidate);
        let against_lower = exact.compare_with_midpoint(below, candidate);
        if against_lower == Ordering::Less {
            candidate = below;
            continue;
        }
        // Inside the interval around `candidate`; on a boundary the even one wins.
        let odd = candidate.to_bits() & 1 == 1;
        return match (against_upper, against_lower) {
            (Ordering::Equal, _) if odd => above,
            (_, Ordering::Equal) if odd => below,
            _ => candidate,
        };
    }
    candidate
}

/// Within a few units in the last place of the value, for finite results.
fn estimate(decimal: &Decimal) -> f64 {
    let leading = &decimal.digits[..decimal.digits.len().min(19)];
    let mantissa = leading
        .iter()
        .fold(0u64, |sum, digit| sum * 10 + u64::from(*digit)) as f64;
    let mut exponent = decimal.exponent + (decimal.digits.len() - leading.len()) as i64;
    let mut value = mantissa;
    // Scaling in steps of 10^±100 keeps intermediate results in range.
    while exponent > 100 {
        value *= 1e100;
        exponent -= 100;
    }
    while exponent < -100 {
        value *= 1e-100;
        exponent += 100;
    }
    let value = value * 10f64.powi(exponent as i32);
    if value.is_finite() {
        value
    } else {
        f64::MAX
    }
}

fn next_up(value: f64) -> f64 {
    if value == f64::INFINITY {
        value
    } else {
        f64::from_bits(value.to_bits() + 1)
    }
}

fn next_down(value: f64) -> f64 {
    if value == 0.0 {
        value
    } else {
        f64::from_bits(value.to_bits() - 1)
    }
}

/// A non-negative double (or +∞, as 2^1024) as `mantissa` × 2^`exponent`.
fn binary_parts(value: f64) -> (u64, i32) {
    if value.is_infinite() {
        return (1, 1024);
    }
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    }
}

/// The exact decimal value: `digits` (a big integer) × 10^`exponent`.
struct BigDecimal {
    digits: BigUint,
    exponent: i64,
}

impl BigDecimal {
    fn new(decimal: &Decimal) -> Self {
        let mut digits = BigUint::from(0);
        for digit in &decimal.digits {
            digits.multiply_add(10, u32::from(*digit));
        }
        Self {
            digits,
            exponent: decimal.exponent,
        }
    }

    /// The exact value against the point halfway between `low` and `high`.
    fn compare_with_midpoint(&self, low: f64, high: f64) -> Ordering {
        let (low_mantissa, low_exponent) = binary_parts(low);
        let (high_mantissa, high_exponent) = binary_parts(high);
        // midpoint = (low + high) / 2 = sum × 2^(common - 1)
        let common = low_exponent.min(high_exponent);
        let mut sum = BigUint::from(low_mantissa);
        sum.shift_left((low_exponent - common) as u32);
        let mut high_part = BigUint::from(high_mantissa);
        high_part.shift_left((high_exponent - common) as u32);
        sum.add(&high_part);
        let midpoint_exponent = i64::from(common) - 1;
        // digits × 5^e × 2^e  against  sum × 2^m
        let mut left = self.digits.clone();
        let mut right = sum;
        if self.exponent >= 0 {
            left.multiply_by_power_of_five(self.exponent as u32);
        } else {
            right.multiply_by_power_of_five(self.exponent.unsigned_abs() as u32);
        }
        let shift = self.exponent - midpoint_exponent;
        if shift >= 0 {
            left.shift_left(shift as u32);
        } else {
            right.shift_left(shift.unsigned_abs() as u32);
        }
        left.compare(&right)
    }
}

/// An unsigned big integer, 32-bit words, least significant first.
#[derive(Clone)]
struct BigUint {
    words: Vec<u32>,
}

impl From<u64> for BigUint {
    fn from(value: u64) -> Self {
        let mut number = Self {
            words: vec![value as u32, (value >> 32) as u32],
        };
        number.trim();
        number
    }
}

impl BigUint {
    fn trim(&mut self) {
        while self.words.last() == Some(&0) {
            self.words.pop();
        }
    }

    /// self = self × factor + addend.
    fn multiply_add(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for word in &mut self.words {
            let product = u64::from(*word) * u64::from(factor) + carry;
            *word = product as u32;
            carry = product >> 32;
        }
        if carry > 0 {
            self.words.push(carry as u32);
        }
    }

    fn multiply_by_power_of_five(&mut self, mut exponent: u32) {
        // 5^13 is the largest power of five below 2^32.
        while exponent > 0 {
            let step = exponent.min(13);
            self.multiply_add(5u32.pow(step), 0);
            exponent -= step;
        }
    }

    fn shift_left(&mut self, bits: u32) {
        let (words, bits) = ((bits / 32) as usize, bits % 32);
        if bits > 0 {
            let mut carry = 0;
            for word in &mut self.words {
                let shifted = (u64::from(*word) << bits) | carry;
                *word = shifted as u32;
                carry = shifted >> 32;
            }
            if carry > 0 {
                self.words.push(carry as u32);
            }
        }
        if !self.words.is_empty() {
            self.words.splice(0..0, std::iter::repeat_n(0, words));
        }
    }

    fn add(&mut self, other: &BigUint) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        let mut carry = 0u64;
        for (index, word) in self.words.iter_mut().enumerate() {
            let sum = u64::from(*word) + u64::from(*other.words.get(index).unwrap_or(&0)) + carry;
            *word = sum as u32;
            carry = sum >> 32;
        }
        if carry > 0 {
            self.words.push(carry as u32);
        }
    }

    fn compare(&self, other: &BigUint) -> Ordering {
        self.words
            .len()
            .cmp(&other.words.len())
            .then_with(|| self.words.iter().rev().cmp(other.words.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn same(text: &str) {
        let ours = parse_f64(text);
        let std = text.parse::<f64>().ok();
        match (ours, std) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
            (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{text}: {a:e} vs {b:e}"),
            (a, b) => assert_eq!(a, b, "{text}"),
        }
    }

    #[test]
    fn reads_what_prometheus_and_people_write() {
        for text in [
            "0",
            "-0",
            "1",
            "1.5",
            "0.016666666666666666",
            "0.30000000000000004",
            "1e3",
            "1E-3",
            "+2.5",
            ".5",
            "5.",
            "1699999999.123",
            "NaN",
            "nan",
            "+Inf",
            "-inf",
            "Infinity",
            "1e400",
            "-1e400",
            "1e-400",
            "4.9406564584124654e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "9007199254740993",
            "9007199254740992.5",
            "0.1000000000000000055511151231257827021181583404541015625",
            "123456789012345678901234567890",
            "0.000000000000000000000000000000001",
            "00012.5000",
            "1e+05",
            "3.14159265358979323846264338327950288",
        ] {
            same(text);
        }
        for text in [
            "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1 ", " 1", "0x10", "in", "--1", "1_000",
        ] {
            assert_eq!(parse_f64(text), None, "{text:?}");
            same(text);
        }
    }

    #[test]
    fn every_double_written_shortest_reads_back_exactly() {
        let mut random = Random(0x2545_f491_4f6c_dd1d);
        for _ in 0..200_000 {
            let value = f64::from_bits(random.next());
            if !value.is_finite() {
                continue;
            }
            same(&value.to_string());
            same(&format!("{value:e}"));
            same(&format!("{value:.17e}"));
        }
    }

    #[test]
    fn random_digit_strings_round_like_the_standard_library() {
        let mut random = Random(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200_000 {
            let length = 1 + random.next() % 30;
            let digits: String = (0..length)
                .map(|_| char::from(b'0' + (random.next() % 10) as u8))
                .collect();
            let exponent = (random.next() % 700) as i64 - 350;
            same(&format!("{digits}e{exponent}"));
            let point = (random.next() % (length + 1)) as usize;
            same(&format!("{}.{}", &digits[..point], &digits[point..]));
        }
    }

    #[test]
    fn very_long_numbers_are_read_quickly_and_exactly() {
        let long = format!("1.{}1", "0".repeat(2_000_000));
        same(&long);
        same(&format!("1.{}1e-5", "0".repeat(100_000)));
        same(&format!("{}1e-100000", "9".repeat(5_000)));
        for text in [
            "1e309",
            "1.7976931348623159e308",
            "-1e400",
            "1e-330",
            "2e-324",
        ] {
            same(text);
        }
    }

    #[test]
    fn halfway_cases_round_to_even() {
        // Exactly between two doubles: 2^53 + 1, and 1 + 2^-53 written out in full.
        same("9007199254740993");
        same("1.00000000000000011102230246251565404236316680908203125");
        same("1.00000000000000011102230246251565404236316680908203126");
        same("1.00000000000000011102230246251565404236316680908203124");
        // Subnormal halfway: 2^-1075.
        same("2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324");
    }
}
