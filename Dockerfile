# One image for the TokenLedger collector and the demo app (compose picks the command).
# No build step: Node 24 runs the TypeScript sources directly (type stripping).
FROM node:24.21.0-bookworm-slim

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app

# Manifests first, so dependency layers are cached across source edits.
COPY package.json package-lock.json .npmrc ./
COPY packages/ ./packages/
COPY collector/package.json ./collector/
COPY demo/package.json ./demo/
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
# The named volume for TOKENLEDGER_DATA_DIR takes this directory's owner on first mount.
RUN mkdir -p /var/lib/tokenledger && chown node:node /var/lib/tokenledger

USER node
EXPOSE 4318 9464
CMD ["node", "collector/src/cli/collector-main.ts"]
