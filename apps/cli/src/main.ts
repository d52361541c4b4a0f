console.log('tributary cli: coming soon');
