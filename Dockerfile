FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# Tesseract with Danish reads scanned minutes (PDFs without a text layer).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-dan \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY workflow ./workflow
COPY web ./web
COPY tasks ./tasks
RUN pip install -c constraints.txt . && useradd --create-home ideaflow
USER ideaflow
WORKDIR /home/ideaflow
# instance/: the beat schedule, .eml files when no SMTP server is set, the embedded broker
RUN mkdir instance
EXPOSE 5000
CMD ["ideaflow", "serve", "--host", "0.0.0.0", "--port", "5000"]
