# The service image: gunicorn serving the production models copied from models/.
# Build after ./run_all.sh (or CI's promote job) has filled models/; see docs/service.md "Deploy".

# Stage 1: the password model's compiled one-row kernels, its forest's and its features'
# (scripts/build_kernel.py). The full image has gcc and Python's headers; only the built modules
# go into the slim image. Cython as locked in Pipfile.lock (a test checks the pin).
FROM python:3.11.7 AS kernel
WORKDIR /build
RUN pip install --no-cache-dir cython==3.3.1
COPY scripts/build_kernel.py scripts/
COPY pipeline/passwords/forest_kernel.pyx pipeline/passwords/
COPY pipeline/passwords/features_kernel.pyx pipeline/passwords/
COPY pipeline/passwords/features_kernel_blake2b.pxi pipeline/passwords/
COPY pipeline/passwords/features_kernel_tables.pxi pipeline/passwords/
RUN python scripts/build_kernel.py

FROM python:3.11.7-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONHASHSEED=0 \
    PORT=5000 \
    MODELS_DIR=/srv/app/models

WORKDIR /srv/app

# dependencies first, so code changes reuse this layer; pipenv and Cython (which built the kernel
# in stage 1) are not needed at run time
COPY Pipfile Pipfile.lock ./
RUN pip install --no-cache-dir pipenv==2026.10.3 \
    && pipenv install --deploy --system \
    && pip uninstall --yes pipenv cython \
    && rm -rf /root/.cache

COPY app/ app/
COPY pipeline/ pipeline/
COPY --from=kernel /build/pipeline/passwords/*_kernel.*.so pipeline/passwords/
COPY wsgi.py gunicorn.conf.py params.yaml ./
# the production models: models/ locally, CI's exported image-models/ (production versions only)
ARG MODELS=models
COPY ${MODELS}/ models/

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin service
USER 10001:10001

EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '5000'), timeout=2)"]

CMD ["gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
