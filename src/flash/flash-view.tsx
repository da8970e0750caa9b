/** The Flash view: first install over USB. */
export function FlashView() {
  return (
    <section aria-labelledby="flash-heading">
      <h2 id="flash-heading">Flash over USB</h2>
    </section>
  );
}
