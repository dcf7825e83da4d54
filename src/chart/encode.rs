//! PNG encoding of a finished chart as an indexed (palette) image.
//!
//! A chart is a few flat colours plus their anti-aliased edges: several
//! hundred distinct colours, of which a few hundred cover nearly every pixel.
//! Keeping the 256 most frequent and mapping each rarer edge shade to its
//! nearest kept colour makes one byte per pixel instead of three, which
//! deflates to well under half the RGB size in less time. When the image has
//! at most 256 colours the result is lossless; in the charts about 0.1–0.2%
//! of pixels (edge shades) move to a neighbouring colour. An image where more
//! than 1% would move, or with too many colours to count, is written as plain
//! RGB instead, so the output is never visibly lossy.

use tiny_skia::PremultipliedColorU8;

use super::ChartError;

/// Encodes opaque pixels, row by row, as an indexed PNG.
pub(crate) fn indexed_png(
    width: u32,
    height: u32,
    pixels: &[PremultipliedColorU8],
) -> Result<Vec<u8>, ChartError> {
    // One pass: count each colour and remember the image as runs of one colour.
    let mut table = Table::new();
    let mut runs: Vec<(u16, u16)> = Vec::with_capacity(64 * 1024);
    let mut rest = pixels;
    while let Some(&first) = rest.first() {
        let len = run_length(&rest[..rest.len().min(usize::from(u16::MAX))]);
        let Some(slot) = table.slot(pack(first)) else {
            return rgb_png(width, height, pixels);
        };
        table.counts[slot] += len as u64;
        // `slot < SLOTS <= u16::MAX + 1` and `len <= u16::MAX`.
        runs.push((slot as u16, len as u16));
        rest = &rest[len..];
    }

    let (palette, covered) = table.palette();
    if covered < pixels.len() as u64 / 100 * 99 {
        // Over 1% of pixels would change colour: too lossy, stay exact.
        return rgb_png(width, height, pixels);
    }
    table.assign(&palette);
    let mut indices = Vec::with_capacity(pixels.len());
    for &(slot, len) in &runs {
        let index = table.index[usize::from(slot)];
        indices.resize(indices.len() + usize::from(len), index);
    }
    drop(runs);

    let mut rgb = Vec::with_capacity(palette.len() * 3);
    for &key in &palette {
        rgb.extend_from_slice(&unpack(key));
    }
    // Row filters do not suit palette indices: unfiltered rows deflate best.
    let image = Image {
        width,
        height,
        color: png::ColorType::Indexed,
        palette: Some(rgb),
        filter: png::Filter::NoFilter,
    };
    image.encode(&indices)
}

/// The fallback for an image with too many colours to index: plain RGB.
fn rgb_png(
    width: u32,
    height: u32,
    pixels: &[PremultipliedColorU8],
) -> Result<Vec<u8>, ChartError> {
    let rgb: Vec<u8> = pixels
        .iter()
        .flat_map(|p| [p.red(), p.green(), p.blue()])
        .collect();
    let image = Image {
        width,
        height,
        color: png::ColorType::Rgb,
        palette: None,
        filter: png::Filter::Adaptive,
    };
    image.encode(&rgb)
}

/// How many pixels at the start of `pixels` have its first pixel's colour.
///
/// A chart is tens of thousands of runs: most a few pixels long (anti-aliased edges, text),
/// the rest long (background, bands). Short runs end within a few pixels; past 16 pixels the
/// run is likely long, and it is compared a block at a time without a branch per pixel
/// (which the compiler turns into vector code): about twice as fast as asking each pixel.
fn run_length(pixels: &[PremultipliedColorU8]) -> usize {
    const SHORT: usize = 16;
    const BLOCK: usize = 32;
    let Some(&first) = pixels.first() else {
        return 0;
    };
    let differs = |rest: &[PremultipliedColorU8]| rest.iter().position(|&p| p != first);
    let head = &pixels[..pixels.len().min(SHORT)];
    if let Some(len) = differs(head) {
        return len;
    }
    let mut len = head.len();
    while let Some(block) = pixels.get(len..len + BLOCK) {
        if !block.iter().fold(true, |same, &p| same & (p == first)) {
            break;
        }
        len += BLOCK;
    }
    len + differs(&pixels[len..]).unwrap_or(pixels.len() - len)
}

/// The PNG header settings of an 8-bit image.
struct Image {
    width: u32,
    height: u32,
    color: png::ColorType,
    palette: Option<Vec<u8>>,
    filter: png::Filter,
}

impl Image {
    fn encode(self, data: &[u8]) -> Result<Vec<u8>, ChartError> {
        let mut out = Vec::with_capacity(64 * 1024);
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(self.color);
        encoder.set_depth(png::BitDepth::Eight);
        if let Some(palette) = self.palette {
            encoder.set_palette(palette);
        }
        encoder.set_filter(self.filter);
        encoder.set_deflate_compression(png::DeflateCompression::Level(LEVEL));
        let encode = |e: png::EncodingError| ChartError::Encode(e.to_string());
        let mut writer = encoder.write_header().map_err(encode)?;
        writer.write_image_data(data).map_err(encode)?;
        writer.finish().map_err(encode)?;
        Ok(out)
    }
}

/// The zlib level (zlib-rs, through `png`'s `zlib-rs` feature). Measured on the 14-day
/// chart's 1 MB of indices: level 1 gives 47 KB in 0.9 ms, 3 gives 33 KB in 1.5 ms, 6 gives
/// 31 KB in 3.7 ms; miniz_oxide, the default backend, took 3.6 ms for 32 KB at level 4.
const LEVEL: u8 = 3;

/// Slots in the colour table (a power of two); half of them may fill.
const SLOTS: usize = 1 << 14;

/// Colours as `0x01RRGGBB`, so that 0 marks an empty slot. The pixels are
/// opaque, so their premultiplied channels are the straight ones.
fn pack(px: PremultipliedColorU8) -> u32 {
    0x0100_0000 | u32::from(px.red()) << 16 | u32::from(px.green()) << 8 | u32::from(px.blue())
}

fn unpack(key: u32) -> [u8; 3] {
    [(key >> 16) as u8, (key >> 8) as u8, key as u8]
}

/// Colour distance, weighted roughly as the eye weighs the channels.
fn distance(a: u32, b: u32) -> u32 {
    let [ar, ag, ab] = unpack(a);
    let [br, bg, bb] = unpack(b);
    let d = |x: u8, y: u8| u32::from(x.abs_diff(y)).pow(2);
    2 * d(ar, br) + 4 * d(ag, bg) + 3 * d(ab, bb)
}

fn nearest(key: u32, palette: &[u32]) -> u8 {
    let mut best = (u32::MAX, 0usize);
    for (i, &p) in palette.iter().enumerate() {
        let d = distance(key, p);
        if d < best.0 {
            best = (d, i);
        }
    }
    u8::try_from(best.1).unwrap_or(0)
}

/// An open-addressing table of colours with their pixel counts and,
/// once the palette is chosen, their palette index.
struct Table {
    keys: Vec<u32>,
    counts: Vec<u64>,
    index: Vec<u8>,
    used: usize,
}

impl Table {
    fn new() -> Self {
        Table {
            keys: vec![0; SLOTS],
            counts: vec![0; SLOTS],
            index: vec![0; SLOTS],
            used: 0,
        }
    }

    /// The slot of `key`, inserting it if there is room; `None` when half full.
    fn slot(&mut self, key: u32) -> Option<usize> {
        let mut i = (key.wrapping_mul(0x9E37_79B1) >> (32 - SLOTS.trailing_zeros())) as usize;
        loop {
            match self.keys[i] {
                k if k == key => return Some(i),
                0 if self.used < SLOTS / 2 => {
                    self.keys[i] = key;
                    self.used += 1;
                    return Some(i);
                }
                0 => return None,
                _ => i = (i + 1) & (SLOTS - 1),
            }
        }
    }

    /// The (up to) 256 most frequent colours, most frequent first, and how
    /// many pixels they cover.
    fn palette(&self) -> (Vec<u32>, u64) {
        let mut seen: Vec<(u64, u32)> = self
            .keys
            .iter()
            .zip(&self.counts)
            .filter(|(k, _)| **k != 0)
            .map(|(&k, &c)| (c, k))
            .collect();
        seen.sort_unstable_by(|a, b| b.cmp(a));
        let kept = &seen[..seen.len().min(256)];
        let covered = kept.iter().map(|&(c, _)| c).sum();
        let mut palette: Vec<u32> = kept.iter().map(|&(_, k)| k).collect();
        if palette.is_empty() {
            palette.push(0x01FF_FFFF);
        }
        (palette, covered)
    }

    /// Gives every colour in the table its palette index: its own, or its nearest.
    fn assign(&mut self, palette: &[u32]) {
        for (key, index) in self.keys.iter().zip(self.index.iter_mut()) {
            if *key != 0 {
                *index = nearest(*key, palette);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Width, height, RGB bytes, and whether the PNG was indexed.
    fn decode(png: &[u8]) -> (u32, u32, Vec<u8>, bool) {
        let mut dec = png::Decoder::new(std::io::Cursor::new(png));
        dec.set_transformations(png::Transformations::EXPAND);
        let mut reader = dec.read_info().unwrap();
        let indexed = reader.info().color_type == png::ColorType::Indexed;
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf, indexed)
    }

    #[test]
    fn few_colours_round_trip_exactly() {
        let (w, h) = (37u32, 11u32);
        let px = pixels(w * h, |i| [(i % 7 * 30) as u8, (i % 5 * 50) as u8, 9]);
        let (dw, dh, rgb, indexed) = decode(&indexed_png(w, h, &px).unwrap());
        assert!(indexed);
        assert_eq!((dw, dh), (w, h));
        let expect: Vec<u8> = px
            .iter()
            .flat_map(|p| [p.red(), p.green(), p.blue()])
            .collect();
        assert_eq!(rgb, expect);
    }

    #[test]
    fn rare_shades_map_to_near_colours() {
        // 200 flat colours over most pixels, plus 300 rare shades one step off them.
        let (w, h) = (500u32, 40u32);
        let flat = |i: u32| [(i % 200) as u8, 100, 50];
        let px = pixels(w * h, |i| {
            let [r, g, b] = flat(i);
            if i % 128 == 0 {
                [r, g + 1 + (i / 128 % 3) as u8, b]
            } else {
                [r, g, b]
            }
        });
        let (_, _, rgb, indexed) = decode(&indexed_png(w, h, &px).unwrap());
        assert!(indexed);
        for (got, want) in rgb.chunks(3).zip(&px) {
            let want = [want.red(), want.green(), want.blue()];
            let err = got
                .iter()
                .zip(want)
                .map(|(a, b)| a.abs_diff(b))
                .max()
                .unwrap();
            assert!(err <= 3, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn many_even_colours_stay_exact() {
        // 2 000 equally common colours: a palette would lose too much.
        let (w, h) = (100u32, 20u32);
        let px = pixels(w * h, |i| [(i % 100) as u8 * 2, (i / 100) as u8 * 12, 128]);
        let (_, _, rgb, indexed) = decode(&indexed_png(w, h, &px).unwrap());
        assert!(!indexed);
        let expect: Vec<u8> = px
            .iter()
            .flat_map(|p| [p.red(), p.green(), p.blue()])
            .collect();
        assert_eq!(rgb, expect);
    }

    #[test]
    fn too_many_colours_fall_back_to_rgb() {
        // 65 536 distinct colours: more than the table holds; lossless RGB instead.
        let (w, h) = (256u32, 256u32);
        let px = pixels(w * h, |i| [(i % 256) as u8, (i / 256) as u8, 128]);
        let (_, _, rgb, indexed) = decode(&indexed_png(w, h, &px).unwrap());
        assert!(!indexed);
        let expect: Vec<u8> = px
            .iter()
            .flat_map(|p| [p.red(), p.green(), p.blue()])
            .collect();
        assert_eq!(rgb, expect);
    }

    #[test]
    fn run_length_counts_exactly_across_blocks() {
        for (len, total) in [
            (1, 1),
            (1, 80),
            (15, 80),
            (16, 80),
            (17, 80),
            (48, 80),
            (49, 80),
            (64, 64),
            (79, 200),
        ] {
            let px = pixels(total, |i| if i < len { [9, 9, 9] } else { [9, 9, 10] });
            assert_eq!(run_length(&px[..len as usize]), len as usize, "all {len}");
            assert_eq!(run_length(&px), len as usize, "{len} of {total}");
        }
        assert_eq!(run_length(&[]), 0);
    }

    fn pixels(n: u32, f: impl Fn(u32) -> [u8; 3]) -> Vec<PremultipliedColorU8> {
        (0..n)
            .filter_map(|i| {
                let [r, g, b] = f(i);
                PremultipliedColorU8::from_rgba(r, g, b, 255)
            })
            .collect()
    }
}
