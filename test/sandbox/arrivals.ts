/** Reading the sandbox's arrival times: how many requests Stripe would have seen in its busiest second. */
export function busiestSecond(arrivals: number[]): number {
	const sorted = [...arrivals].sort((a, b) => a - b);
	let most = 0;
	for (let first = 0, last = 0; last < sorted.length; last++) {
		while (sorted[last] - sorted[first] >= 1000) first++;
		most = Math.max(most, last - first + 1);
	}
	return most;
}
