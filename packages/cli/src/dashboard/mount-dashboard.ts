import { fileURLToPath } from "node:url";
import express from "express";

/** The page's files: plain HTML, CSS and ES modules, served as they are (no build step, nothing from the internet). */
export const PAGE_DIR = fileURLToPath(new URL("./page/", import.meta.url));

/**
 * `/_sim/ui`: the dashboard (presentation, so it lives with the cli). It reads everything from
 * `/_sim/events` (core's EventHub) and `/_sim/clock` when the simulator has one.
 */
export function mountDashboard(app: express.Express): void {
  app.get("/_sim/ui", (_req, res) => res.sendFile("index.html", { root: PAGE_DIR }));
  app.use("/_sim/ui", express.static(PAGE_DIR, { index: "index.html", maxAge: 0 }));
}
