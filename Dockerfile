# syntax=docker/dockerfile:1
# Build stage: install everything, check the types, compile to dist/ (npm run build: JavaScript,
# the locales and the migrations).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck
RUN npm run build

# Runtime stage: production dependencies and the compiled JavaScript only (no tsx, no sources),
# as a non-root user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
