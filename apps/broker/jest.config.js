module.exports = {
  displayName: 'broker',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
