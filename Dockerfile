FROM python:3.11.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Tesseract with Danish reads scanned minutes (PDFs without a text layer).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-dan \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --no-log-init --uid 10001 ideaflow
WORKDIR /app
# The locked dependencies first, checked against their hashes: a change to the code alone
# reuses this layer instead of installing every dependency again.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes --no-deps -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY workflow ./workflow
COPY web ./web
COPY tasks ./tasks
RUN pip install --no-deps . && rm -rf build ./*.egg-info
USER ideaflow
WORKDIR /home/ideaflow
# instance/: the beat schedule, .eml files when no SMTP server is set, the embedded broker
RUN mkdir instance
EXPOSE 5000
# The web server's health: /healthz answers 200 while the database does (503 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=4)"]
CMD ["ideaflow", "serve", "--host", "0.0.0.0", "--port", "5000"]
