"""Build ``templates/agreement.docx``: the Word layout dpagen renders agreements into.

The template carries the page setup, the paragraph and list styles (clause numbering is Word
list numbering tied to the styles; the table of contents uses Word's "toc 1"), a running header
and a footer with the annex versions and "Sida N av M". Its body is a single ``{{p body }}`` paragraph that dpagen replaces with the
agreement's paragraphs and tables.

Run: python scripts/make_docx_template.py dpagen/starter/templates/agreement.docx
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.shared import Mm, Pt

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
FONT = "Calibri"  # Carlito, bundled for the PDF, has the same metrics

NUMBERING = f"""
<w:abstractNum {W} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="Heading1"/>
    <w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>
    <w:pPr><w:tabs><w:tab w:val="num" w:pos="567"/></w:tabs><w:ind w:left="567" w:hanging="567"/></w:pPr></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="DpaClause"/>
    <w:lvlText w:val="%1.%2"/><w:lvlJc w:val="left"/>
    <w:pPr><w:tabs><w:tab w:val="num" w:pos="567"/></w:tabs><w:ind w:left="567" w:hanging="567"/></w:pPr></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:pStyle w:val="DpaItem"/>
    <w:lvlText w:val="(%3)"/><w:lvlJc w:val="left"/>
    <w:pPr><w:tabs><w:tab w:val="num" w:pos="1134"/></w:tabs><w:ind w:left="1134" w:hanging="567"/></w:pPr></w:lvl>
</w:abstractNum>"""
NUM = f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'


def style(
    style_id: str,
    name: str,
    ppr: str = "",
    rpr: str = "",
    based_on: str = "Normal",
    kind: str = "paragraph",
) -> str:
    """A ``w:style`` element."""
    return (
        f'<w:style {W} w:type="{kind}" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="{based_on}"/><w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


def numbered(level: int) -> str:
    return f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'


STYLES = [
    style("DpaFact", "DPA Fact", '<w:spacing w:after="40"/>'),
    style(
        "DpaHeading",
        "DPA Heading",
        '<w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>',
        '<w:b/><w:sz w:val="26"/>',
    ),
    style(
        "DpaClause", "DPA Clause", numbered(1) + '<w:spacing w:after="120"/><w:jc w:val="both"/>'
    ),
    style(
        "DpaClauseBody",
        "DPA Clause Body",
        '<w:spacing w:after="120"/><w:ind w:left="567"/><w:jc w:val="both"/>',
    ),
    style("DpaItem", "DPA Item", numbered(2) + '<w:spacing w:after="80"/><w:jc w:val="both"/>'),
    style(
        "DpaAnnexTitle",
        "DPA Annex Title",
        '<w:keepNext/><w:pageBreakBefore/><w:spacing w:after="120"/><w:outlineLvl w:val="0"/>',
        '<w:b/><w:sz w:val="28"/>',
    ),
    style(
        "DpaAnnexEffective",
        "DPA Annex Effective",
        '<w:spacing w:after="240"/>',
        '<w:color w:val="444444"/>',
    ),
    style(
        "DpaAnnexSection",
        "DPA Annex Section",
        '<w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="1"/>',
        '<w:b/><w:sz w:val="23"/>',
    ),
    style("DpaLead", "DPA Lead", '<w:spacing w:after="120"/>'),
    # the table of contents on a page of its own; its heading is not itself an entry
    style(
        "DpaContentsHeading",
        "DPA Contents Heading",
        '<w:keepNext/><w:pageBreakBefore/><w:spacing w:after="240"/><w:outlineLvl w:val="9"/>',
        '<w:b/><w:sz w:val="26"/>',
    ),
    style("DpaTableText", "DPA Table Text", '<w:spacing w:after="40"/>', '<w:sz w:val="19"/>'),
    style(
        "DpaTableHeader",
        "DPA Table Header",
        '<w:spacing w:after="40"/>',  # no keepNext: rows may break across pages
        '<w:b/><w:sz w:val="19"/>',
    ),
]

# Word's own style for the lines of a table of contents: the number, the title, dots to the page
TOC_LINE = (
    f'<w:style {W} w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/>'
    '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/>'
    "<w:unhideWhenUsed/><w:pPr><w:tabs>"
    '<w:tab w:val="left" w:pos="567"/><w:tab w:val="right" w:leader="dot" w:pos="9242"/>'
    '</w:tabs><w:spacing w:after="60"/><w:ind w:left="567" w:hanging="567"/></w:pPr></w:style>'
)

HEADER = (
    '<w:p {W}><w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:rPr><w:sz w:val="17"/>'
    '<w:color w:val="555555"/></w:rPr><w:t xml:space="preserve">{{ header }}</w:t></w:r></w:p>'
)


def field(instruction: str) -> str:
    return (
        f'<w:fldSimple w:instr=" {instruction} "><w:r><w:rPr><w:sz w:val="17"/></w:rPr>'
        "<w:t>1</w:t></w:r></w:fldSimple>"
    )


# the annex versions at the left margin, "Sida N av M" at the right one (the text width)
FOOTER_TABS = (
    '<w:tabs><w:tab w:val="clear" w:pos="4680"/><w:tab w:val="clear" w:pos="9360"/>'
    '<w:tab w:val="right" w:pos="9242"/></w:tabs>'
)
FOOTER = (
    f'<w:p {W}><w:pPr><w:pStyle w:val="Footer"/>{FOOTER_TABS}</w:pPr>'
    '<w:r><w:rPr><w:sz w:val="17"/><w:color w:val="555555"/></w:rPr>'
    '<w:t xml:space="preserve">{{ annex_versions }}</w:t></w:r>'
    '<w:r><w:rPr><w:sz w:val="17"/></w:rPr><w:tab/>'
    '<w:t xml:space="preserve">{{ page_word }} </w:t></w:r>'
    + field("PAGE")
    + '<w:r><w:rPr><w:sz w:val="17"/></w:rPr><w:t xml:space="preserve"> {{ of_word }} </w:t></w:r>'
    + field("NUMPAGES")
    + "</w:p>"
)


def build(target: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = Mm(25), Mm(22)
    section.different_first_page_header_footer = True

    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}hAnsi", FONT
    )
    normal.font.size = Pt(11)
    heading = styles["Heading 1"]
    heading.font.size = Pt(13)
    heading.font.color.rgb = None
    heading.element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {W}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>')
    )
    title = styles["Title"]
    title.font.size = Pt(22)
    for xml in [*STYLES, TOC_LINE]:
        styles.element.append(parse_xml(xml))

    numbering = document.part.numbering_part.element
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(parse_xml(NUMBERING))
    else:
        numbering.append(parse_xml(NUMBERING))
    numbering.append(parse_xml(NUM))

    header = section.header
    header.paragraphs[0]._p.addprevious(parse_xml(HEADER.replace("{W}", W)))
    header._element.remove(header.paragraphs[-1]._p)
    footer = section.footer
    footer.paragraphs[0]._p.addprevious(parse_xml(FOOTER))
    footer._element.remove(footer.paragraphs[-1]._p)
    first_footer = section.first_page_footer
    first_footer.paragraphs[0]._p.addprevious(parse_xml(FOOTER))
    first_footer._element.remove(first_footer.paragraphs[-1]._p)

    document.add_paragraph("{{p body }}")
    properties = document.core_properties
    properties.author = "dpagen"
    properties.title = ""
    properties.comments = ""
    properties.created = properties.modified = dt.datetime(2026, 1, 1)
    properties.revision = 1
    document.save(str(target))


if __name__ == "__main__":
    build(Path(sys.argv[1]))
