"""Image-only twins of the eval set's original PDFs, built at test time (no committed binaries).

Every page of a ``-pdf`` eval report is rendered with pypdfium2 to an image
and the images are written back as a PDF with no text layer: what a scanner
gives. The twin is scored against the original's gold file.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval"
TWIN_DPI = 200  # a typical office scan


def pdf_originals() -> list[Path]:
    """The eval reports that are original PDFs (``*-pdf.pdf``), each with a gold file."""
    return sorted(p for p in (EVAL / "reports").glob("*-pdf.pdf") if (EVAL / "gold" / f"{p.stem}.json").is_file())


def make_twin(pdf: Path, out: Path, dpi: int = TWIN_DPI, tilt: float = 0.0, jpeg: int | None = None) -> Path:
    """Write an image-only copy of ``pdf`` to ``out`` (each page one image at ``dpi``).

    ``tilt`` (degrees) turns every page as a sheet fed askew would be; ``jpeg``
    (a quality, 1-95) stores the pages as grey JPEG, as office scanners do.
    """
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(str(pdf))
    try:
        images = [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()
    if tilt:
        images = [im.rotate(tilt, resample=Image.Resampling.BILINEAR, fillcolor="white") for im in images]
    if jpeg is not None:
        images = [_jpeg(im.convert("L"), jpeg) for im in images]
    images[0].save(out, save_all=True, append_images=images[1:], resolution=float(dpi))
    return out


def _jpeg(image, quality: int):  # noqa: ANN001, ANN202 - PIL images
    import io

    from PIL import Image

    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue()))
