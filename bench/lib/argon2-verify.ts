// The raw ceiling of the login benchmark, in a process of its own started as the API is (the
// thread-pool preload), so both hash on the same pool: `<stored hash> <password> <in flight>
// <seconds>` → verifies per second on stdout.
import { verifyPassword } from '@atrium/auth';

const [stored, password, inFlight, seconds] = process.argv.slice(2);
const until = performance.now() + Number(seconds) * 1000;
let done = 0;
const loop = async () => {
  while (performance.now() < until) {
    if (!(await verifyPassword(stored, password!))) throw new Error('the hash does not verify');
    done += 1;
  }
};
await verifyPassword(stored, password!); // warm
const started = performance.now();
await Promise.all(Array.from({ length: Number(inFlight) }, loop));
console.log(done / ((performance.now() - started) / 1000));
