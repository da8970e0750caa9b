export function App() {
  return (
    <main>
      <h1>FieldFlash</h1>
    </main>
  );
}
