# The sessions API. No build step: the TypeScript sources run through tsx (a runtime dependency),
# exactly as `npm start` does locally.
#
#   docker build -t sessions-server .
#   docker run -p 4000:4000 -v sessions-data:/data -e JWT_SECRET=… sessions-server
#       embedded SQLite event store under /data
#   … -e EVENTSTORE_CONNECTION_STRING='esdb://host:2113?tls=false'
#       events in EventStoreDB / KurrentDB, read models under /data

# ---- dependencies: production only; better-sqlite3 compiles from source when no prebuilt binary fits
FROM node:20-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# ---- runtime
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# tsconfig.json is read by tsx at run time (decorators for type-graphql).
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
# The image's unprivileged `node` user (uid 1000) owns the data directory; a named volume mounted on
# /data starts with this ownership.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000

# GET /health answers 200 once the server listens and its read models are within HEALTH_MAX_LAG_EVENTS of
# the log, 503 (with the reasons) while the projector or a runner is down or the read models lag behind.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Same as `npm start` (tsx src/main.ts) but with node as the only process, so SIGTERM from
# `docker stop` reaches the server's graceful shutdown directly.
CMD ["node", "--import", "tsx", "src/main.ts"]
