"""From meeting minutes (txt, docx, pdf) to a parsed meeting: themes, ideas and participants."""
