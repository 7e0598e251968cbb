"""The review page: one self-contained HTML file to check a record by eye.

The report text sits on the left with every extracted value highlighted at its
evidence span; the tables, in the canonical layout, sit on the right. A click
on a cell jumps to (and flashes) the text it was read from; findings are
listed in red with links to their evidence. For a PDF the pages that hold
evidence are shown too (rendered with pdfium), and a click on a cell also
opens its page with the cell's box highlighted. No external assets: the page
works offline and can be mailed around.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
from collections.abc import Iterable
from pathlib import Path

from extractor.document import Box, Document, Span
from extractor.readings import Evidence, Extraction, Finding
from extractor.record import (
    ACTIVE_DISCLOSURE_ROWS,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_SINGLE_OTHER,
    APPLICATION_ROWS_SPLIT_OTHER,
    PRE2019_LABELS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    active_disclosure_spec,
    flatten,
)

_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222}
header{padding:.6em 1em;background:#f3f4f6;border-bottom:1px solid #ddd}
header h1{font-size:1.15em;margin:0 0 .2em}
.meta span{margin-right:1.2em;color:#555}
main{display:flex;height:calc(100vh - 4.2em)}
#source{flex:1 1 50%;overflow:auto;padding:1em;white-space:pre-wrap;line-height:1.6;border-right:1px solid #ddd;
  margin:0;font:inherit}
#data{flex:1 1 50%;overflow:auto;padding:1em}
mark{background:#fff3b0;border-bottom:2px solid #e0b400;cursor:pointer}
mark.src-llm{background:#dbeafe;border-color:#3b82f6}
mark.src-conflicted,mark.finding{background:#fde2e2;border-color:#dc2626}
mark.flash{outline:3px solid #dc2626;animation:flash 1.2s}
@keyframes flash{from{background:#fca5a5}to{}}
table{border-collapse:collapse;margin:.4em 0 1.2em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.2em .45em;text-align:right}
th{background:#f9fafb;font-weight:600}
th.row{text-align:left;max-width:22em}
td.null{color:#999}
td.src-llm{background:#eff6ff}
td.src-chosen{background:#ecfdf5}
td.src-conflicted{background:#fef2f2;color:#b91c1c;font-weight:600}
td.selected{outline:2px solid #2563eb}
td a{color:inherit;text-decoration:none;border-bottom:1px dotted #888}
h2{font-size:1em;margin:1em 0 .3em}
#findings li{color:#b91c1c;margin:.2em 0}
#findings li.not_checkable{color:#777}
.legend span{display:inline-block;padding:0 .4em;margin-right:.5em;border:1px solid #ccc}
#pages{flex:1 1 50%;overflow:auto;padding:1em;border-right:1px solid #ddd;background:#e5e7eb}
.pdfpage{position:relative;margin:0 auto 1em;box-shadow:0 1px 4px #0003;background:#fff}
.pdfpage img{display:block;width:100%}
.pdfpage .no{position:absolute;right:.3em;top:.2em;font-size:.8em;color:#555}
.pdfpage .box{position:absolute;display:none;outline:2px solid #dc2626;background:#fca5a555}
.pdfpage .box.on{display:block}
"""

_SCRIPT = """
function jump(id){
  document.querySelectorAll('.pdfpage .box.on').forEach(function(x){x.classList.remove('on')});
  var boxes=document.querySelectorAll('.pdfpage .box[data-ev~="'+id+'"]');
  boxes.forEach(function(x){x.classList.add('on')});
  if(boxes.length){boxes[0].scrollIntoView({block:'center'});}
  var m=document.getElementById(id); if(!m) return false;
  document.querySelectorAll('mark.flash').forEach(function(x){x.classList.remove('flash')});
  document.querySelectorAll('mark[data-ev~="'+id+'"]').forEach(function(x){x.classList.add('flash')});
  m.scrollIntoView({block:'center'});
  return false;
}
document.addEventListener('click',function(e){
  var a=e.target.closest('a[data-jump]');
  if(a){e.preventDefault();jump(a.getAttribute('data-jump'));return;}
  var m=e.target.closest('mark[data-ev]');
  if(m){
    document.querySelectorAll('td.selected').forEach(function(x){x.classList.remove('selected')});
    m.getAttribute('data-ev').split(' ').forEach(function(id){
      var c=document.querySelector('td[data-ev="'+id+'"]');
      if(c){c.classList.add('selected');c.scrollIntoView({block:'nearest'});}
    });
  }
});
"""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _segments(length: int, marks: dict[str, Span]) -> list[tuple[int, int, list[str]]]:
    """Cut ``[0, length)`` at every span boundary: each piece lists the evidence ids covering it."""
    cuts = {0, length}
    for span in marks.values():
        cuts.update((max(0, min(length, span.start)), max(0, min(length, span.end))))
    points = sorted(cuts)
    pieces = []
    for a, b in zip(points, points[1:], strict=False):
        ids = [i for i, s in marks.items() if s.start <= a and b <= s.end]
        pieces.append((a, b, ids))
    return pieces


def _source_html(text: str, marks: dict[str, Span], classes: dict[str, str]) -> str:
    out: list[str] = []
    first: set[str] = set()
    for a, b, ids in _segments(len(text), marks):
        chunk = _esc(text[a:b])
        if not ids:
            out.append(chunk)
            continue
        anchor = next((i for i in ids if i not in first), None)
        first.update(ids)
        id_attr = f' id="{anchor}"' if anchor else ""
        css = " ".join(sorted({classes[i] for i in ids}))
        out.append(f'<mark{id_attr} class="{css}" data-ev="{" ".join(ids)}">{chunk}</mark>')
    return "".join(out)


def _cell(path: str, value: object, evidence: dict[str, Evidence], ids: dict[str, str]) -> str:
    ev = evidence.get(path)
    source = ev.source if ev else "reader"
    title = _esc(f"{path} · {source}" + (f" · {ev.note}" if ev and ev.note else ""))
    if value is None:
        return f'<td class="null src-{source}" data-path="{_esc(path)}" title="{title}">—</td>'
    shown = _esc(value)
    if path in ids:
        ev_id = ids[path]
        return (
            f'<td class="src-{source}" data-path="{_esc(path)}" data-ev="{ev_id}" title="{title}">'
            f'<a href="#{ev_id}" data-jump="{ev_id}">{shown}</a></td>'
        )
    return f'<td class="src-{source}" data-path="{_esc(path)}" title="{title}">{shown}</td>'


def _grid(
    title: str,
    prefix: str,
    rows: dict[str, str],
    cols: dict[str, str],
    flat: dict[str, object],
    evidence: dict[str, Evidence],
    ids: dict[str, str],
) -> str:
    present = [r for r in rows if any(f"{prefix}.{r}.{c}" in flat for c in cols)]
    if not present:
        return ""
    head = "".join(f"<th>{_esc(label)}</th>" for label in cols.values())
    body = []
    for r in present:
        cells = "".join(_cell(f"{prefix}.{r}.{c}", flat.get(f"{prefix}.{r}.{c}"), evidence, ids) for c in cols)
        body.append(f'<tr><th class="row" title="{_esc(r)}">{_esc(rows[r])}</th>{cells}</tr>')
    return f"<h2>{_esc(title)}</h2><table><tr><th></th>{head}</tr>{''.join(body)}</table>"


def _active_disclosure(flat: dict[str, object], layout: str | None, evidence, ids) -> str:
    spec = active_disclosure_spec(layout)
    rows = []
    for group, cols in spec.items():
        cells = [
            f"<th>{_esc(label)}</th>"
            + _cell(f"active_disclosure.{group}.{c}", flat.get(f"active_disclosure.{group}.{c}"), evidence, ids)
            for c, label in cols.items()
            if f"active_disclosure.{group}.{c}" in flat
        ]
        if cells:
            rows.append(f'<tr><th class="row">{_esc(ACTIVE_DISCLOSURE_ROWS[group])}</th>{"".join(cells)}</tr>')
    return f"<h2>二、主动公开政府信息情况</h2><table>{''.join(rows)}</table>" if rows else ""


def _pre2019(flat: dict[str, object], evidence, ids) -> str:
    labels = {f"pre2019.{key}": label for key, label in PRE2019_LABELS.items()}
    rows = [
        f'<tr><th class="row">{_esc(label)}</th>{_cell(path, flat[path], evidence, ids)}</tr>'
        for path, label in labels.items()
        if path in flat
    ]
    return f"<h2>统计表（2019 年以前）</h2><table>{''.join(rows)}</table>" if rows else ""


def _findings(findings: Iterable[Finding], ids: dict[str, str]) -> str:
    items = []
    for f in findings:
        links = " ".join(
            f'<a href="#{ids[p]}" data-jump="{ids[p]}">{_esc(p)}</a>' for p in f.paths if p in ids
        )
        stated_or_computed = f.stated is not None or f.computed is not None
        numbers = f" stated {_esc(f.stated)}, computed {_esc(f.computed)}" if stated_or_computed else ""
        items.append(
            f'<li class="{_esc(f.status)}"><b>{_esc(f.rule)}</b> {_esc(f.where)}{numbers} '
            f"{_esc(f.message)} {links}</li>"
        )
    if not items:
        return '<h2>Findings</h2><p id="findings">No findings.</p>'
    return f'<h2>Findings ({len(items)})</h2><ul id="findings">{"".join(items)}</ul>'


_PAGE_SCALE = 1.5  # pixels per PDF point of the page images (108 dpi)


def _pdf_bytes(doc: Document, pdf: bytes | None) -> bytes | None:
    """The PDF the document was loaded from: given, or read from ``doc.path``; None if it is not the same file."""
    if doc.format != "pdf":
        return None
    if pdf is None and doc.path and Path(doc.path).is_file():
        pdf = Path(doc.path).read_bytes()
    if pdf is None or hashlib.sha256(pdf).hexdigest() != doc.sha256:
        return None
    return pdf


def page_images(pdf: bytes, pages: Iterable[int], scale: float = _PAGE_SCALE) -> dict[int, tuple[str, float, float]]:
    """PNG data URIs of the given pages (1-based) with each page's size in points, rendered by pdfium."""
    import pypdfium2 as pdfium

    out: dict[int, tuple[str, float, float]] = {}
    document = pdfium.PdfDocument(pdf)
    try:
        for number in sorted(set(pages)):
            if not 1 <= number <= len(document):
                continue
            page = document[number - 1]
            try:
                width, height = page.get_size()
                image = page.render(scale=scale).to_pil()
                buf = io.BytesIO()
                image.save(buf, format="PNG", optimize=True)
                uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
                out[number] = (uri, width, height)
            finally:
                page.close()
    finally:
        document.close()
    return out


def _pages_html(images: dict[int, tuple[str, float, float]], boxes: dict[str, list[Box]]) -> str:
    """The page images, each with a (hidden) highlight over every evidence box printed on it."""
    out = []
    for number, (uri, width, height) in images.items():
        marks = []
        for ev_id, found in boxes.items():
            for box in found:
                if box.page != number:
                    continue
                style = (
                    f"left:{100 * box.x0 / width:.3f}%;top:{100 * box.top / height:.3f}%;"
                    f"width:{100 * (box.x1 - box.x0) / width:.3f}%;height:{100 * (box.bottom - box.top) / height:.3f}%"
                )
                marks.append(f'<div class="box" data-ev="{ev_id}" data-page="{number}" style="{style}"></div>')
        out.append(
            f'<div class="pdfpage" id="page-{number}" data-page="{number}" '
            f'style="max-width:{width * _PAGE_SCALE:.0f}px">'
            f'<img alt="page {number}" src="{uri}"><span class="no">{number}</span>{"".join(marks)}</div>'
        )
    return f'<section id="pages">{"".join(out)}</section>'


def render_review(doc: Document, extraction: Extraction, pdf: bytes | None = None) -> str:
    """The review page for one report as a complete HTML document (a string).

    For a PDF (``pdf``, or the file at ``doc.path`` when it is still the one
    loaded) the pages with evidence are shown with every cell's box.
    """
    record = extraction.record
    flat = flatten(record)
    marks: dict[str, Span] = {}
    classes: dict[str, str] = {}
    ids: dict[str, str] = {}
    for n, (path, ev) in enumerate(sorted(extraction.evidence.items())):
        if ev.span is None or not (0 <= ev.span.start < ev.span.end <= len(doc.text)):
            continue
        ev_id = f"ev-{n}"
        ids[path] = ev_id
        marks[ev_id] = ev.span
        classes[ev_id] = f"src-{ev.source}"
    for k, finding in enumerate(extraction.findings):
        for j, span in enumerate(finding.evidence):
            if 0 <= span.start < span.end <= len(doc.text):
                marks[f"fd-{k}-{j}"] = span
                classes[f"fd-{k}-{j}"] = "finding"

    pages_panel = ""
    source_pdf = _pdf_bytes(doc, pdf)
    if source_pdf is not None and doc.boxes:
        boxes = {ev_id: doc.to_boxes(span) for ev_id, span in marks.items()}
        images = page_images(source_pdf, [b.page for found in boxes.values() for b in found])
        pages_panel = _pages_html(images, boxes)

    meta = record.meta
    applications = ""
    if record.applications:
        split = any(k.startswith("other_handling.") for k in record.applications)
        rows = APPLICATION_ROWS_SPLIT_OTHER if split else APPLICATION_ROWS_SINGLE_OTHER
        applications = _grid(
            "三、收到和处理政府信息公开申请情况", "applications", rows, APPLICANT_COLUMNS, flat,
            extraction.evidence, ids,
        )
    review = _grid(
        "四、政府信息公开行政复议、行政诉讼情况", "review_litigation", REVIEW_GROUPS, REVIEW_OUTCOMES, flat,
        extraction.evidence, ids,
    )
    claims = "".join(f"<li>{_esc(json.dumps(c.model_dump(), ensure_ascii=False))}</li>" for c in record.claims)
    title = f"{meta.agency or '（机关未识别）'} {meta.year or ''} · review"
    legend = (
        '<p class="legend"><span style="background:#fff3b0">reader</span><span style="background:#dbeafe">model</span>'
        '<span style="background:#ecfdf5">chosen</span><span style="background:#fde2e2">conflicted / finding</span>'
        "<span>— blank (null), never 0</span></p>"
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{_esc(title)}</title>
<style>{_STYLE}</style></head>
<body>
<header><h1>{_esc(meta.agency or "（机关未识别）")} {_esc(meta.year or "")}</h1>
<div class="meta"><span>layout: {_esc(meta.layout)}</span><span>kind: {_esc(meta.kind)}</span>
<span>published: {_esc(meta.published)}</span><span>engines: {_esc(", ".join(extraction.run.engines))}</span>
<span>source: {_esc(doc.path or "")}</span></div></header>
<main>
<pre id="source">{_source_html(doc.text, marks, classes)}</pre>
{pages_panel}
<section id="data">{legend}
{_findings(extraction.findings, ids)}
{_active_disclosure(flat, meta.layout, extraction.evidence, ids)}
{applications}
{review}
{_pre2019(flat, extraction.evidence, ids) if record.pre2019 else ""}
<h2>Claims ({len(record.claims)})</h2><ul id="claims">{claims}</ul>
</section></main>
<script>{_SCRIPT}</script>
</body></html>
"""
