# syntax=docker/dockerfile:1
# crier runs its TypeScript through tsx, so the image needs no compile step:
# stage 1 installs production dependencies, stage 2 is the small runtime.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# A heap cap keeps V8 from letting garbage pile up to ~100 MB between full collections
# (see BENCHMARKS.md: a worker's live heap stays near 30 MB).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=320 \
    PORT=8080 \
    CRIER_MEDIA_DIR=/var/lib/crier/media
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY queues ./queues
COPY config ./config
RUN mkdir -p /var/lib/crier/media && chown -R node:node /var/lib/crier
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/crier.js"]
CMD ["serve"]
