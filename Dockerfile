# syntax=docker/dockerfile:1
# Stage 1 installs every dependency, compiles the TypeScript to dist/ (`npm ci` runs the
# `prepare` build) and drops the development dependencies; stage 2 is the small runtime,
# which runs the compiled JavaScript (bin/crier.js picks dist/ when it is up to date).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY queues ./queues
COPY config ./config
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# A heap cap keeps V8 from letting garbage pile up between full collections
# (see BENCHMARKS.md: a worker's live heap stays near 30 MB).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=320 \
    PORT=8080 \
    CRIER_MEDIA_DIR=/var/lib/crier/media
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
RUN mkdir -p /var/lib/crier/media && chown -R node:node /var/lib/crier
USER node
EXPOSE 8080
# Fits every role of the image: `crier health` passes when Redis answers and the delivery
# workers in this container (`serve` or `worker`, which serves no HTTP) keep their heartbeat.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "bin/crier.js", "health"]
ENTRYPOINT ["node", "bin/crier.js"]
CMD ["serve"]
