//! Column alignment of tab-separated lines, like Go's `text/tabwriter` with padding 2, no minimum
//! width and space padding, counting characters and ignoring ANSI escape sequences.

const PADDING: usize = 2;

/// Aligns the tab-terminated cells of `text` (lines end with `\n`); the text after a line's last
/// tab is written as is. Columns are aligned per block of consecutive lines having that column.
pub(crate) fn align(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let mut out = String::new();
    let mut widths = Vec::new();
    format_block(&lines, 0, lines.len(), &mut widths, &mut out);
    out
}

fn format_block(lines: &[Vec<&str>], mut line0: usize, line1: usize, widths: &mut Vec<usize>, out: &mut String) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines.get(this).map_or(0, Vec::len) {
            this += 1;
            continue;
        }
        write_lines(lines, line0, this, widths, out);
        line0 = this;
        let mut width = 0;
        while this < line1 {
            let Some(line) = lines.get(this) else { break };
            if column + 1 >= line.len() {
                break;
            }
            width = width.max(line.get(column).map_or(0, |c| display_width(c)) + PADDING);
            this += 1;
        }
        widths.push(width);
        format_block(lines, line0, this, widths, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, line0, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for line in lines.iter().take(to).skip(from) {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if let Some(w) = widths.get(j).filter(|_| j + 1 < line.len()) {
                out.push_str(&" ".repeat(w.saturating_sub(display_width(cell))));
            }
        }
        out.push('\n');
    }
}

/// Characters shown, not counting `ESC [ ... <letter>` sequences.
fn display_width(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for e in chars.by_ref() {
                if e.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_and_ignores_escapes() {
        let got = align("a\tbb\tx\n\x1b[32mccc\x1b[0m\td\ty\n");
        assert_eq!(got, "a    bb  x\n\x1b[32mccc\x1b[0m  d   y\n");
    }
}
