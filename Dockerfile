# syntax=docker/dockerfile:1
# One image for both processes: the API (default command) or the worker
# (`node --require ./apps/all-in-one/threadpool.cjs apps/all-in-one/dist/worker.mjs`).
#
# Node 22 LTS. Some dependencies already declare engines.node >=22 (sanitize-html >=22.12,
# content-disposition, cookie, contentful-sdk-core): the bundle still runs on Node 20, which CI
# also tests, but Node 20 reached end of life in April 2026.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install --global pnpm@10.34.8 --no-fund --no-audit
WORKDIR /src

# Dependencies first, so source changes do not invalidate the install layer.
FROM base AS deps
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# Dependency patches (pnpm-workspace.yaml's patchedDependencies) are applied by the install.
COPY patches/ patches/
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/all-in-one/package.json apps/all-in-one/
COPY packages/contracts/package.json packages/contracts/
COPY packages/config/package.json packages/config/
COPY packages/db/package.json packages/db/
COPY packages/jobs/package.json packages/jobs/
COPY packages/auth/package.json packages/auth/
COPY packages/integrations/package.json packages/integrations/
COPY packages/storage/package.json packages/storage/
COPY packages/analysis/package.json packages/analysis/
COPY packages/client/package.json packages/client/
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile

# `pnpm run build` bundles the entry points into apps/all-in-one/dist (plain JavaScript) and writes
# the migrated, empty embedded database into apps/all-in-one/snapshots. runtime.mjs then assembles
# /runtime: the bundles, the snapshot, the migrations and only the production dependencies the
# bundle leaves external (about 180 MB in all, against ~390 MB of node_modules alone when the whole
# workspace was copied). test/runtime.test.ts starts that same folder without Docker.
FROM deps AS build
COPY . .
RUN pnpm run build && node apps/all-in-one/runtime.mjs /runtime

# Nothing is downloaded or compiled at run time; no pnpm, no sources, no dev dependencies.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /runtime /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# The API's liveness. The worker serves no API: its service sets WORKER_METRICS_PORT and overrides
# this with its own port's /health (docker-compose.yml).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--require", "./apps/all-in-one/threadpool.cjs", "apps/all-in-one/dist/api.mjs"]
