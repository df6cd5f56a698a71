# syntax=docker/dockerfile:1
# One image for both processes: the API (default command) or the worker
# (`node apps/all-in-one/dist/worker.mjs`).

FROM node:20-bookworm-slim AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install --global pnpm@10.34.8 --no-fund --no-audit
WORKDIR /app

# Dependencies first, so source changes do not invalidate the install layer.
FROM base AS deps
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
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
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile

FROM deps AS build
COPY . .
RUN pnpm run build

# `pnpm run build` bundled the entry points into apps/all-in-one/dist (plain JavaScript; the few
# packages that load files beside their code stay in node_modules) and wrote the migrated, empty
# embedded database in apps/all-in-one/snapshots that a new embedded DATA_DIR is copied from.
# Nothing is downloaded at run time.
FROM base AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--require", "./apps/all-in-one/threadpool.cjs", "apps/all-in-one/dist/api.mjs"]
