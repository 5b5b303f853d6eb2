# syntax=docker/dockerfile:1
# Images of TokenLedger, built from the packages as users install them (npm pack, then npm install).
#   docker build --target collector -t tokenledger:0.1.0 .        the collector (default target)
#   docker build --target demo -t tokenledger-demo:0.1.0 .        the demo workload of docker-compose.yml

# --- build: the workspace, its packages built (tsdown) and packed (npm pack) ---------------------------
FROM node:24.21.0-bookworm-slim AS build
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /src
# Manifests first, so the dependency layer is cached across source edits. Install scripts are skipped:
# the image has its own Node 24 (the repository's `node` devDependency is for machines without one).
COPY package.json package-lock.json .npmrc ./
COPY packages/ ./packages/
COPY collector/package.json ./collector/
COPY demo/package.json ./demo/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && node scripts/pack.ts /packs

# --- demo: the support-assistant demo (test-only packages, so it runs in the workspace) -----------------
FROM build AS demo
ENV NODE_ENV=production
USER node
CMD ["node", "demo/app-runner.ts"]

# --- collector: production dependencies only, from the packed tarballs, as a non-root user -------------
FROM node:24.21.0-bookworm-slim AS collector
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
COPY --from=build /packs/ /packs/
RUN echo '{"name":"tokenledger-collector-image","private":true}' > package.json \
 && npm install --omit=dev --no-audit --no-fund /packs/*.tgz \
 && npm cache clean --force \
 && rm -rf /packs \
 && mkdir -p /var/lib/tokenledger && chown node:node /var/lib/tokenledger
USER node
# In a container the collector listens on every interface, explicitly (its defaults are loopback).
ENV TOKENLEDGER_OTLP_ADDR=0.0.0.0:4318 \
    TOKENLEDGER_HTTP_ADDR=0.0.0.0:9464 \
    TOKENLEDGER_DATA_DIR=/var/lib/tokenledger
EXPOSE 4318 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["tokenledger-collector"]
