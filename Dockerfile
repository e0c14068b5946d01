# The innograph API + explorer (`innograph serve`); Neo4j runs in its own container (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies in their own layer, read from pyproject.toml at the versions of requirements.lock (the
# ones the tests passed with): a code change does not reinstall them.
COPY pyproject.toml requirements.lock ./
RUN python -c "import subprocess, sys, tomllib; \
deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; \
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '-c', 'requirements.lock', *deps])"

COPY . .
# Editable, so the package finds cypher/ and data/ next to it in /app (they are not Python packages).
RUN pip install --no-deps -e . \
    && useradd --create-home --uid 10001 innograph
USER innograph

EXPOSE 8000
CMD ["innograph", "serve", "--host", "0.0.0.0", "--port", "8000"]
