/** The abort controller of each task's request, upload or import in flight. */
export class InFlightRequests {
  private readonly controllers = new Map<string, AbortController>();

  track(id: string): AbortController {
    const controller = new AbortController();
    this.controllers.set(id, controller);
    return controller;
  }

  untrack(id: string, controller: AbortController): void {
    if (this.controllers.get(id) === controller) this.controllers.delete(id);
  }

  has(id: string): boolean {
    return this.controllers.has(id);
  }

  abort(ids: readonly string[]): void {
    for (const id of ids) {
      this.controllers.get(id)?.abort();
      this.controllers.delete(id);
    }
  }

  abortAll(): void {
    for (const controller of this.controllers.values()) controller.abort();
    this.controllers.clear();
  }
}
