/**
 * One page ahead: while the run judges a page (and the writer packs and sends its batches), the next
 * page's list call is already on its way, so a unit's chain of pages costs one call latency per page
 * rather than a call plus the page's own processing. Memory: one page more per unit.
 */

/** The values of `source`, the next one already asked for while the caller works on the current one. */
export async function* prefetched<T>(source: AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  let next = source.next();
  let finished = false;
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        finished = true;
        return;
      }
      next = source.next();
      // A caller that stops here (the deadline) never awaits it: its failure must not go unhandled.
      next.catch(() => {});
      yield r.value;
    }
  } finally {
    // Stopped early: the source is closed once its call in flight has ended (never awaited here).
    if (!finished)
      void next
        .then(
          () => source.return(undefined),
          () => undefined,
        )
        .catch(() => undefined);
  }
}
