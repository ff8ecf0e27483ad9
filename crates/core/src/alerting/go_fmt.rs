//! Go's `fmt.Sprintf` as Prometheus's templates call it (`printf`, and the
//! `%.4g` inside `humanize`): flags `+ - space 0`, width, precision, the verbs
//! `v s d f F e E g G`, and Go's marks where an argument does not fit
//! (`%!d(float64=1.5)`, `%!f(MISSING)`, `%!(EXTRA string=x)`). Floats are
//! formatted from their exact correctly rounded digits, as Go's `strconv`
//! does, so `%.4g` of 123456.789 is `1.235e+05` and `%f` of +Inf is `+Inf`.

use crate::foundation::limits::{MAX_PRINTF_WIDTH, MAX_TEMPLATE_OUTPUT_BYTES};

/// A template value as Go sees it: a `float64` or a `string`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GoValue<'a> {
    Float(f64),
    Text(&'a str),
}

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// A width or precision, refused above [`MAX_PRINTF_WIDTH`]: a template is
/// written by whoever wrote the rule, and `%.70000f` would cost megabytes.
fn bounded(digits: &str, what: &str) -> Result<usize, String> {
    let significant = digits.trim_start_matches('0');
    let number = if significant.len() > 3 {
        usize::MAX
    } else {
        significant.parse::<usize>().unwrap_or(0)
    };
    if number > MAX_PRINTF_WIDTH {
        return Err(format!(
            "printf: a {what} of {significant} is more than {MAX_PRINTF_WIDTH}"
        ));
    }
    Ok(number)
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[GoValue]) -> Result<String, String> {
    let mut out = String::new();
    let mut next_arg = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = Flags::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '+' => flags.plus = true,
                '-' => {
                    flags.minus = true;
                    flags.zero = false; // Go pads with zeros on the left only
                }
                ' ' => flags.space = true,
                '0' => flags.zero = !flags.minus,
                '#' => {}
                _ => break,
            }
            chars.next();
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(d);
            chars.next();
        }
        if !digits.is_empty() {
            flags.width = Some(bounded(&digits, "width")?);
        }
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut digits = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            flags.precision = Some(bounded(&digits, "precision")?);
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next_arg += 1;
        out.push_str(&format_one(verb, flags, *arg));
        // A template's output is bounded; so is each printf on the way to it
        // (many `%s` of a long label would otherwise build megabytes).
        if out.len() > MAX_TEMPLATE_OUTPUT_BYTES {
            return Err(format!(
                "printf: the output is longer than {} KiB",
                MAX_TEMPLATE_OUTPUT_BYTES / 1024
            ));
        }
    }
    if next_arg < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[next_arg..]
            .iter()
            .map(|arg| match arg {
                GoValue::Float(number) => format!("float64={}", format_go_float(*number)),
                GoValue::Text(text) => format!("string={text}"),
            })
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    Ok(out)
}

fn format_one(verb: char, flags: Flags, arg: GoValue) -> String {
    match (verb, arg) {
        ('s' | 'v', GoValue::Text(text)) => format_text(text, flags),
        // Go reads `+` in `%+v` as "field names", not as a sign.
        ('v', GoValue::Float(number)) => float(
            number,
            'g',
            flags.precision,
            Flags {
                plus: false,
                ..flags
            },
        ),
        ('f' | 'F' | 'e' | 'E' | 'g' | 'G', GoValue::Float(number)) => {
            let default = if matches!(verb, 'g' | 'G') {
                None
            } else {
                Some(6)
            };
            float(number, verb, flags.precision.or(default), flags)
        }
        // A verb that does not fit: Go prints the value as `%v`, flags and all.
        (verb, GoValue::Float(number)) => {
            format!(
                "%!{verb}(float64={})",
                float(number, 'g', flags.precision, flags)
            )
        }
        (verb, GoValue::Text(text)) => format!("%!{verb}(string={})", format_text(text, flags)),
    }
}

/// A string with `%s`: the precision keeps that many characters, the width pads.
fn format_text(text: &str, flags: Flags) -> String {
    let text = match flags.precision {
        Some(limit) => text.chars().take(limit).collect(),
        None => text.to_string(),
    };
    pad(&text, flags, flags.zero)
}

/// Pads to the width: on the right with `-`, else on the left with zeros or spaces.
fn pad(text: &str, flags: Flags, zeros: bool) -> String {
    let length = text.chars().count();
    let Some(width) = flags.width.filter(|width| *width > length) else {
        return text.to_string();
    };
    let padding = width - length;
    if flags.minus {
        format!("{text}{}", " ".repeat(padding))
    } else if zeros {
        format!("{}{text}", "0".repeat(padding))
    } else {
        format!("{}{text}", " ".repeat(padding))
    }
}

/// Go's `fmt.fmtFloat`: the number with its sign, then padding.
fn float(number: f64, verb: char, precision: Option<usize>, flags: Flags) -> String {
    let negative = number.is_sign_negative() && !number.is_nan();
    if !number.is_finite() {
        let text = if number.is_nan() {
            if flags.plus {
                "+NaN"
            } else if flags.space {
                " NaN"
            } else {
                "NaN"
            }
        } else if negative {
            "-Inf"
        } else if flags.space && !flags.plus {
            " Inf"
        } else {
            "+Inf"
        };
        return pad(text, flags, false);
    }
    let digits = unsigned_float(number.abs(), verb, precision);
    let sign = if negative {
        "-"
    } else if flags.plus {
        "+"
    } else if flags.space {
        " "
    } else {
        ""
    };
    if flags.zero && !flags.minus {
        // The sign goes before the leading zeros.
        let width = flags.width.unwrap_or(0).saturating_sub(sign.len());
        let unsigned = pad(
            &digits,
            Flags {
                width: Some(width),
                ..flags
            },
            true,
        );
        return format!("{sign}{unsigned}");
    }
    pad(&format!("{sign}{digits}"), flags, false)
}

/// The decimal digits of a finite, non-negative `value` rounded to
/// `significant` digits (all of its shortest round-trip digits when `None`),
/// without trailing zeros, and the position of the decimal point.
fn decimal_digits(value: f64, significant: Option<usize>) -> (String, i32) {
    if value == 0.0 {
        return (String::new(), 0);
    }
    let text = match significant {
        Some(count) => format!("{value:.*e}", count.max(1) - 1),
        None => format!("{value:e}"),
    };
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits.trim_end_matches('0').to_string(), exponent + 1)
}

/// `d.ddde±XX` with `decimals` digits after the point (zeros added as needed).
fn exponent_form(digits: &str, point: i32, decimals: usize, upper: bool) -> String {
    let mut out = String::new();
    out.push(digits.chars().next().unwrap_or('0'));
    if decimals > 0 {
        out.push('.');
        let rest: String = digits.chars().skip(1).take(decimals).collect();
        out.push_str(&rest);
        out.extend(std::iter::repeat_n('0', decimals - rest.len()));
    }
    let exponent = if digits.is_empty() { 0 } else { point - 1 };
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exponent < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exponent.abs()));
    out
}

/// `ddd.ddd` with `decimals` digits after the point.
fn fixed_form(digits: &str, point: i32, decimals: usize) -> String {
    let digit_at = |index: i32| -> char {
        if index < 0 {
            '0'
        } else {
            digits.chars().nth(index as usize).unwrap_or('0')
        }
    };
    let mut out = String::new();
    if point <= 0 {
        out.push('0');
    } else {
        out.extend((0..point).map(digit_at));
    }
    if decimals > 0 {
        out.push('.');
        out.extend((0..decimals as i32).map(|i| digit_at(point + i)));
    }
    out
}

/// `strconv.FormatFloat(value, verb, precision, 64)` of a finite, non-negative value.
fn unsigned_float(value: f64, verb: char, precision: Option<usize>) -> String {
    match verb {
        'f' | 'F' => format!("{value:.*}", precision.unwrap_or(6)),
        'e' | 'E' => {
            let decimals = precision.unwrap_or(6);
            let (digits, point) = decimal_digits(value, Some(decimals + 1));
            exponent_form(&digits, point, decimals, verb == 'E')
        }
        _ => {
            let precision = precision.map(|p| p.max(1));
            let (digits, point) = decimal_digits(value, precision);
            let count = digits.len() as i32;
            let mut limit = precision.map_or(count, |p| p as i32);
            let mut exponent_limit = limit;
            if exponent_limit > count && count >= point {
                exponent_limit = count;
            }
            if precision.is_none() {
                exponent_limit = 6;
            }
            let exponent = point - 1;
            if exponent < -4 || exponent >= exponent_limit {
                if limit > count {
                    limit = count;
                }
                exponent_form(&digits, point, (limit - 1).max(0) as usize, verb == 'G')
            } else {
                if limit > point {
                    limit = count;
                }
                fixed_form(&digits, point, (limit - point).max(0) as usize)
            }
        }
    }
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`): the
/// shortest representation, in exponent form when the exponent is below -4 or
/// at least 6; `+Inf`, `-Inf`, `NaN`.
pub fn format_go_float(value: f64) -> String {
    float(value, 'g', None, Flags::default())
}

/// Go's `%.Ng`.
pub fn format_significant(value: f64, digits: usize) -> String {
    float(value, 'g', Some(digits), Flags::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(format: &str, value: f64) -> String {
        sprintf(format, &[GoValue::Float(value)]).unwrap()
    }

    /// Each expectation is what Go 1.20's `fmt.Sprintf` prints.
    #[test]
    fn floats_format_as_go_formats_them() {
        for (format, value, expected) in [
            ("%0.2f", 60.0, "60.00"),
            ("%0.0f", 59.5, "60"),
            ("%.2f", f64::INFINITY, "+Inf"),
            ("%.2f", f64::NEG_INFINITY, "-Inf"),
            ("%.2f", f64::NAN, "NaN"),
            ("%+.1f", f64::NAN, "+NaN"),
            ("%8.2f", 3.25159, "    3.25"),
            ("%-8.2f|", 3.25159, "3.25    |"),
            ("%08.2f", -3.25159, "-0003.25"),
            ("%+.1f", 2.0, "+2.0"),
            ("% .1f", 2.0, " 2.0"),
            ("%.2f", -0.0, "-0.00"),
            ("%f", 1.5, "1.500000"),
            ("%e", 123456.789, "1.234568e+05"),
            ("%.2E", 0.000123, "1.23E-04"),
            ("%.4g", 123456.789, "1.235e+05"),
            ("%.4g", 100.0, "100"),
            ("%.4g", 12.5, "12.5"),
            ("%.4g", 0.0001234, "0.0001234"),
            ("%.4g", 0.00001234, "1.234e-05"),
            ("%.3g", 9999.0, "1e+04"),
            ("%.10g", 123456.789, "123456.789"),
            ("%.0g", 2.5, "2"),
            ("%g", 1e6, "1e+06"),
            ("%g", 123456.0, "123456"),
            ("%g", 0.0, "0"),
            ("%G", 1e-7, "1E-07"),
            ("%v", 0.1, "0.1"),
            ("%v", -0.0, "-0"),
            ("%v", f64::INFINITY, "+Inf"),
            ("%.4g", -0.0, "-0"),
            ("%5.1f%%", 99.44, " 99.4%"),
        ] {
            assert_eq!(one(format, value), expected, "{format} of {value}");
        }
    }

    #[test]
    fn arguments_that_do_not_fit_are_marked_as_go_marks_them() {
        assert_eq!(one("%d", 1.5), "%!d(float64=1.5)");
        assert_eq!(
            sprintf("%f", &[GoValue::Text("x")]).unwrap(),
            "%!f(string=x)"
        );
        assert_eq!(
            sprintf("%s and %s", &[GoValue::Text("a")]).unwrap(),
            "a and %!s(MISSING)"
        );
        assert_eq!(
            sprintf("%s", &[GoValue::Text("a"), GoValue::Float(2.0)]).unwrap(),
            "a%!(EXTRA float64=2)"
        );
        assert_eq!(
            sprintf(
                "%5s|%-4s|%.2s",
                &[
                    GoValue::Text("ab"),
                    GoValue::Text("c"),
                    GoValue::Text("xyz")
                ]
            )
            .unwrap(),
            "   ab|c   |xy"
        );
        assert_eq!(one("100%%", 1.0), "100%%!(EXTRA float64=1)");
        // Found by the randomized comparison with promtool, each as Go prints it.
        assert_eq!(one("%+v", 71.5), "71.5");
        assert_eq!(one("%+ .5v", f64::INFINITY), " Inf");
        assert_eq!(one("%9.7v", 9172.720000000001), "  9172.72");
        assert_eq!(one("%+2.7s", 22.5), "%!s(float64=+22.5)");
        assert_eq!(one("% .0d", 6063940.0), "%!d(float64= 6e+06)");
        let text = |format: &str| sprintf(format, &[GoValue::Text("日本 語-1")]).unwrap();
        assert_eq!(text("% 3.1d"), "%!d(string=  日)");
        assert_eq!(text("%09d"), "%!d(string=000日本 語-1)");
        assert_eq!(text("%- 04.2G"), "%!G(string=日本  )");
        assert_eq!(text("% .0G"), "%!G(string=)");
    }

    #[test]
    fn widths_and_precisions_are_bounded() {
        assert!(sprintf("%.70000f", &[GoValue::Float(1.0)])
            .unwrap_err()
            .contains("more than 200"));
        assert!(sprintf("%70000f", &[GoValue::Float(1.0)])
            .unwrap_err()
            .contains("more than 200"));
        assert_eq!(one("%.0002f", 1.5), "1.50");
    }
}
